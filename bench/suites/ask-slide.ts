/**
 * `npm run bench -- ask-slide [--clip tiny/pathoclip] [--reasoner tiny/patho-r1] [--slide-size 16384] [--magnification 20]`:
 * "Ask the slide" from question to Patho-R1's first token, in Node on a generated H&E slide, through the app's own
 * flow (createSlideAskStore: index, queries, region choice, token budget, region reads, one multi-image prompt):
 *  - without an index: the slide's PathoCLIP index is built first (every tissue tile embedded), then the question;
 *  - with the index in hand (what the app has once a slide was indexed: restored from IndexedDB);
 * against the time to embed every tile, the cost the index saves on each later question. The slide defaults to
 * 16,384 px (the issue asks 50k x 50k; on this 2-core machine that would be a ten-times-longer index build with the
 * same per-tile rate, so the table gives the rate and the extrapolation).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeSlide } from '../../cli/he-slide-writer';
import { createSlideAskStore, type SlideAskDependencies, type SlideTileIndex } from '../../src/features/ask/slide/slide-ask-store';
import { buildSlideIndex } from '../../src/features/search/index-builder';
import { scoreAllTiles } from '../../src/features/search/similarity';
import type { SlideSearchIndex } from '../../src/features/search/slide-index';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { InThreadPathoR1Engine } from '../../src/inference/in-thread-engine';
import { PathoClipRuntime } from '../../src/inference/pathoclip-runtime';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';
import { openSlideNode } from '../../src/slide/open-slide-node';
import type { SlideSource } from '../../src/slide/slide-source';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const QUESTION = 'Is there invasive carcinoma on this slide?';
const OPTIONS = ['Invasive carcinoma', 'Benign breast tissue'];
const REPEATS = 3;

function option(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Timing {
  indexMs: number;
  regionsMs: number;
  readMs: number;
  firstTokenMs: number;
  totalToFirstTokenMs: number;
  regions: number;
  promptTokens: number;
  budgetNote: string | null;
}

/** One question through the app's flow; `index()` gives (or builds) the slide's index. Times each phase. */
async function askOnce(
  source: SlideSource,
  index: () => Promise<SlideSearchIndex>,
  clip: PathoClipRuntime,
  reasoner: InThreadPathoR1Engine,
  maxPixels: number,
): Promise<Timing> {
  const marks: Record<string, number> = {};
  const started = performance.now();
  const dependencies: SlideAskDependencies = {
    backendLabel: () => 'Node · fp32',
    async slideIndex(): Promise<SlideTileIndex> {
      const built = await index();
      marks.index = performance.now();
      return {
        grid: built.grid,
        cells: built.cells,
        scoreTexts: async (texts) => Promise.all((await clip.embedTexts([...texts])).map((vector) => scoreAllTiles(built, vector))),
      };
    },
    showRegions: () => (marks.regions = performance.now()),
    generate: (request, callbacks) => {
      marks.read = performance.now();
      return reasoner.generate(request, {
        signal: callbacks.signal,
        onText: (text) => {
          marks.first ??= performance.now();
          callbacks.onText(text);
        },
      });
    },
  };
  const store = createSlideAskStore();
  const answer = await store.getState().ask(
    {
      question: QUESTION,
      options: OPTIONS,
      settings: { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: 8, minNewTokens: 8 },
      magnification: 20,
      chainOfDraft: false,
      regions: 'search',
    },
    { slide: source, slideIdentity: 'bench', maxPixels },
    dependencies,
  );
  if (answer.status !== 'done') throw new Error(`the question ended ${answer.status}: ${answer.error ?? ''}`);
  return {
    indexMs: marks.index! - started,
    regionsMs: marks.regions! - marks.index!,
    readMs: marks.read! - marks.regions!,
    firstTokenMs: marks.first! - marks.read!,
    totalToFirstTokenMs: marks.first! - started,
    regions: answer.regions.length,
    promptTokens: answer.stats?.promptTokens ?? 0,
    budgetNote: answer.budgetNote,
  };
}

async function run({ args, log }: BenchContext): Promise<BenchReport> {
  const clipPath = option(args, '--clip', 'tiny/pathoclip');
  const reasonerPath = option(args, '--reasoner', 'tiny/patho-r1');
  const slideSize = Number(option(args, '--slide-size', '16384'));
  const magnification = Number(option(args, '--magnification', '20'));
  const modelRoot = (modelPath: string) => path.join(root, 'models', path.dirname(modelPath)) + path.sep;

  const clip = await PathoClipRuntime.load({
    modelRoot: modelRoot(clipPath),
    modelName: path.basename(clipPath),
    imageDtype: 'fp32',
    textDtype: 'fp32',
    device: 'cpu',
  });
  const reasonerRuntime = await PathoR1Runtime.load({
    modelRoot: path.resolve(modelRoot(reasonerPath)),
    modelName: path.basename(reasonerPath),
    dtype: 'fp32',
    device: 'cpu',
  });
  const reasoner = new InThreadPathoR1Engine(reasonerRuntime);
  const maxPixels = (JSON.parse(readFileSync(path.join(root, 'models', reasonerPath, 'preprocessor_config.json'), 'utf8')) as { max_pixels: number })
    .max_pixels;
  const dir = mkdtempSync(path.join(tmpdir(), 'patholens-bench-ask-slide-'));
  try {
    const slidePath = path.join(dir, 'bench-slide.svs');
    log(`writing a ${slideSize} px H&E slide (40x, JPEG tiles)`);
    await writeHeSlide({ path: slidePath, size: slideSize });
    const source = await openSlideNode({ path: slidePath });
    try {
      const build = () => buildSlideIndex({ source, slideIdentity: 'bench', engine: clip, magnification });
      log('warm-up (graph optimisation) and the index alone: every tissue tile embedded');
      await askOnce(source, build, clip, reasoner, maxPixels);
      const embedStarted = performance.now();
      const index = await build();
      const embedAllMs = performance.now() - embedStarted;

      log('question without an index (built first)');
      const cold = await askOnce(source, build, clip, reasoner, maxPixels);
      log(`question with the index, ${REPEATS} times`);
      const warm: Timing[] = [];
      for (let repeat = 0; repeat < REPEATS; repeat++) warm.push(await askOnce(source, async () => index, clip, reasoner, maxPixels));
      const warmTotal = median(warm.map((timing) => timing.totalToFirstTokenMs));
      const tiles = index.cells.length;
      const gridTiles = index.grid.columns * index.grid.rows;
      const tilesPerSecond = tiles / (embedAllMs / 1000);
      // The same slide layout at 50k x 50k: tissue share and tiles/s as measured here.
      const tilesAt50k = Math.round((tiles / gridTiles) * Math.ceil(50_000 / index.grid.tileSideLevel0) ** 2);
      const row = (measure: string, value: number, unit: string, note: string) => ({ measure, value, unit, note });
      return {
        title: `Ask the slide: question to first token on a ${slideSize.toLocaleString('en')} px H&E slide (index at ${magnification}x), ${clipPath} + ${reasonerPath}, Node, fp32`,
        columns: ['measure', 'value', 'unit', 'note'],
        rows: [
          row(
            'embed every tile (build the index)',
            embedAllMs / 1000,
            's',
            `${tiles.toLocaleString('en')} tissue tiles of ${gridTiles.toLocaleString('en')}, ${tilesPerSecond.toFixed(0)} tiles/s`,
          ),
          row(
            'question → first token, no index yet',
            cold.totalToFirstTokenMs / 1000,
            's',
            `index built first (${(cold.indexMs / 1000).toFixed(1)} s), then the question`,
          ),
          row('question → first token, index exists', warmTotal / 1000, 's', `median of ${REPEATS}`),
          row(
            '  find regions (embed queries, score, group, plan)',
            median(warm.map((timing) => timing.regionsMs)),
            'ms',
            `${warm[0]!.regions} regions, ${OPTIONS.length + 1} queries`,
          ),
          row(
            '  read the regions from the slide',
            median(warm.map((timing) => timing.readMs)),
            'ms',
            'JPEG tiles decoded in-process (many still cached from indexing)',
          ),
          row('  Patho-R1: prompt → first token', median(warm.map((timing) => timing.firstTokenMs)), 'ms', `${warm[0]!.promptTokens} prompt tokens`),
          row('with index ÷ embed every tile', warmTotal / embedAllMs, 'ratio', 'what an existing index saves per question'),
          row(
            'embed every tile at 50k x 50k (extrapolated)',
            tilesAt50k / tilesPerSecond,
            's',
            `${tilesAt50k.toLocaleString('en')} tiles at this rate and tissue share`,
          ),
        ],
        notes: [
          clipPath === 'tiny/pathoclip'
            ? 'Tiny PathoCLIP: the timings show the flow’s own cost (index, region choice, reads, prompt); a real ViT-B-16 embeds a few tiles per second here, so building the index dominates even more.'
            : `${clipPath}: a realistic-shape PathoCLIP; the index build is its image tower on every tissue tile, a question with the index costs ${OPTIONS.length + 1} text embeddings.`,
          cold.budgetNote ?? 'Every region fit in the default budget at 20x.',
          'Accuracy on a slide-level question set against the thumbnail alone needs real Patho-R1 and PathoCLIP weights: not measured here.',
        ],
        details: { embedAllMs, cold, warm, tiles, gridTiles, magnification, slideSize },
        ...(clipPath === 'tiny/pathoclip' ? {} : { resultName: `ask-slide-${path.basename(clipPath)}` }),
      };
    } finally {
      await source.close();
    }
  } finally {
    await reasonerRuntime.dispose();
    await clip.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const suite: BenchSuite = {
  name: 'ask-slide',
  description: 'Ask the slide: question to first token with and without an index, against embedding every tile',
  run,
};
export default suite;
