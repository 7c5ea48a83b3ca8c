/**
 * `npm run bench -- clip [--model tiny/pathoclip] [--dtype fp32] [--slide-size 8192] [--magnification 20]`:
 * whole-slide search speed on this machine, in one run:
 *  - query latency over 100,000 indexed tiles of 512 dimensions (ViT-B-16's embedding size): scoring in chunks
 *    with pauses for the UI, the longest time the thread is held, top-K and the heatmap picture;
 *  - indexing: the whole path (tissue mask from the coarsest level, block reads + JPEG decode, batched embedding,
 *    int8 quantisation, IndexedDB store) in tiles/s, against the model alone on the same tiles in images/s.
 * Both in Node (the PathoCLIP runtime on onnxruntime-node, slide tiles decoded in-process) and in Chromium (the
 * production build: the PathoCLIP worker on ONNX Runtime Web WASM, tiles decoded in the decode workers, IndexedDB).
 * `--chromium-slide-size` keeps the Chromium run short on big models (WASM is several times slower than Node here).
 */
import 'fake-indexeddb/auto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../../e2e/chromium';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeSlide } from '../../cli/he-slide-writer';
import { heatmapImage } from '../../src/features/search/heatmap';
import { buildSlideIndex, DEFAULT_BATCH_SIZE } from '../../src/features/search/index-builder';
import { indexedDbSearchIndexRecords, saveSearchIndex } from '../../src/features/search/index-persistence';
import { pauseForEventLoop, scoreAllTiles, scoreRangeOf, topK } from '../../src/features/search/similarity';
import { normalized, quantizeInto, SEARCH_INDEX_FORMAT, type SlideSearchIndex } from '../../src/features/search/slide-index';
import { planTileGrid, tileRect } from '../../src/features/search/tile-grid';
import type { ModelDtype } from '../../src/inference/model-manifest';
import { PathoClipRuntime } from '../../src/inference/pathoclip-runtime';
import { openSlideNode } from '../../src/slide/open-slide-node';
import type { RgbaImage } from '../../src/slide/slide-source';
import type { BenchCell, BenchContext, BenchReport, BenchSuite } from '../suite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function option(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Deterministic pseudo-random numbers (the same index every run). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** An index of `count` random unit vectors, stored as the indexer stores them, on a near-square grid. */
function syntheticIndex(count: number, dim: number): SlideSearchIndex {
  const next = random(1);
  const embeddings = new Int8Array(count * dim);
  const scales = new Float32Array(count);
  const vector = new Float32Array(dim);
  for (let tile = 0; tile < count; tile++) {
    for (let i = 0; i < dim; i++) vector[i] = next() * 2 - 1;
    scales[tile] = quantizeInto(normalized(vector)!, embeddings, tile * dim);
  }
  const side = Math.ceil(Math.sqrt(count / 0.6)); // 60% of the grid is tissue
  const grid = planTileGrid({ width: side * 448, height: side * 448, mppX: 0.25, mppY: 0.25 }, 20, 224);
  const cells = new Uint32Array(count);
  for (let tile = 0, cell = 0; tile < count; cell++) if (next() < 0.6 || grid.columns * grid.rows - cell <= count - tile) cells[tile++] = cell;
  return {
    format: SEARCH_INDEX_FORMAT,
    slideIdentity: 'bench',
    modelKey: 'bench',
    grid,
    embedDim: dim,
    cells,
    embeddings,
    scales,
    minTissueFraction: 0.25,
    createdAt: 0,
  };
}

interface QueryTiming {
  scoreMs: number;
  longestHoldMs: number;
  chunks: number;
  topKMs: number;
  heatmapMs: number;
}

async function timeQuery(index: SlideSearchIndex, seed: number): Promise<QueryTiming> {
  const next = random(seed);
  const query = normalized(Float32Array.from({ length: index.embedDim }, () => next() * 2 - 1))!;
  let longestHoldMs = 0;
  let chunks = 1;
  let resumed = performance.now();
  const started = resumed;
  const scores = await scoreAllTiles(index, query, {
    pause: async () => {
      longestHoldMs = Math.max(longestHoldMs, performance.now() - resumed);
      chunks += 1;
      await pauseForEventLoop();
      resumed = performance.now();
    },
  });
  longestHoldMs = Math.max(longestHoldMs, performance.now() - resumed);
  const scoreMs = performance.now() - started;
  let mark = performance.now();
  topK(scores, 20);
  const topKMs = performance.now() - mark;
  mark = performance.now();
  heatmapImage(index, scores, 'viridis', scoreRangeOf(scores));
  const heatmapMs = performance.now() - mark;
  return { scoreMs, longestHoldMs, chunks, topKMs, heatmapMs };
}

interface IndexingResult {
  tissueTiles: number;
  gridTiles: number;
  pathSeconds: number;
  pathTilesPerSecond: number;
  storeSeconds: number;
  modelImagesPerSecond: number;
  peakRssMiB: number;
}

async function timeIndexing(
  modelPath: string,
  dtype: ModelDtype,
  slideSize: number,
  magnification: number,
  log: (message: string) => void,
): Promise<IndexingResult> {
  const modelRoot = path.join(root, 'models', path.dirname(modelPath)) + path.sep;
  const runtime = await PathoClipRuntime.load({ modelRoot, modelName: path.basename(modelPath), imageDtype: dtype, textDtype: 'fp32', device: 'cpu' });
  const dir = mkdtempSync(path.join(tmpdir(), 'patholens-bench-clip-'));
  try {
    const slidePath = path.join(dir, 'bench-slide.svs');
    log(`writing a ${slideSize} px H&E slide (40x, JPEG tiles)`);
    await writeHeSlide({ path: slidePath, size: slideSize });
    const source = await openSlideNode({ path: slidePath });
    try {
      // Warm-up: the first run of a session pays for graph optimisation.
      await runtime.embedImages(Array.from({ length: 4 }, () => blankTile(runtime.info.imageSize)));

      log('indexing (read + tissue mask + embed + store)');
      const started = performance.now();
      const index = await buildSlideIndex({ source, slideIdentity: 'bench', engine: runtime, magnification });
      const storeStarted = performance.now();
      await saveSearchIndex(indexedDbSearchIndexRecords(`bench-${Date.now()}`), index);
      const ended = performance.now();

      log('model alone on the same tiles, same batch size');
      const sample = Array.from(index.cells.slice(0, Math.min(index.cells.length, 512)));
      const tiles: RgbaImage[] = [];
      for (const cell of sample) {
        const region = await source.readRegion(tileRect(index.grid, cell), index.grid.targetMpp);
        tiles.push({ width: index.grid.tileSidePixels, height: index.grid.tileSidePixels, data: region.data.slice(0, index.grid.tileSidePixels ** 2 * 4) });
      }
      const modelStarted = performance.now();
      for (let at = 0; at < tiles.length; at += DEFAULT_BATCH_SIZE) await runtime.embedImages(tiles.slice(at, at + DEFAULT_BATCH_SIZE));
      const modelSeconds = (performance.now() - modelStarted) / 1000;
      const pathSeconds = (ended - started) / 1000;
      return {
        tissueTiles: index.cells.length,
        gridTiles: index.grid.columns * index.grid.rows,
        pathSeconds,
        pathTilesPerSecond: index.cells.length / pathSeconds,
        storeSeconds: (ended - storeStarted) / 1000,
        modelImagesPerSecond: tiles.length / modelSeconds,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
      };
    } finally {
      await source.close();
    }
  } finally {
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ChromiumResult {
  query: QueryTiming[];
  tissueTiles: number;
  gridTiles: number;
  pathSeconds: number;
  modelImages: number;
  modelSeconds: number;
  memoryMiB: number | null;
}

/** The same measurements in the production build's page: worker engine, decode workers, real IndexedDB. */
async function runChromium(
  modelPath: string,
  dtype: ModelDtype,
  slideSize: number,
  magnification: number,
  tileCount: number,
  dim: number,
  log: (message: string) => void,
): Promise<ChromiumResult> {
  const outDir = path.join(tmpdir(), 'patholens-bench-clip-dist');
  log('building the app');
  process.env.VITE_PATHOLENS_TEST_HOOK = 'true'; // the benchmark drives the app's code through its test hook
  await build({ root, logLevel: 'warn', publicDir: false, build: { outDir, emptyOutDir: true } });
  log(`writing a ${slideSize} px H&E slide for Chromium`);
  const slideDir = mkdtempSync(path.join(tmpdir(), 'patholens-bench-clip-'));
  await writeHeSlide({ path: path.join(slideDir, 'slide.svs'), size: slideSize });
  copyFileSync(path.join(slideDir, 'slide.svs'), path.join(outDir, 'bench-slide.svs'));
  rmSync(slideDir, { recursive: true, force: true });
  const server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { port: 4199, strictPort: false, host: '127.0.0.1' } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...QUIET_CHROMIUM_FLAGS, '--disable-features=WebGPU', '--enable-blink-features=ForceEagerMeasureMemory'],
  });
  try {
    const page = await browser.newPage();
    await page.addInitScript('globalThis.__name = (target) => target;'); // tsx's keepNames helper
    await page.goto(server.resolvedUrls!.local[0]!);
    const slash = modelPath.lastIndexOf('/');
    log('running the query and indexing in Chromium (WASM worker)');
    return await page.evaluate(
      async ({ modelRoot, modelName, dtype, magnification, tileCount, dim, batchSize }) => {
        type Rgba = { width: number; height: number; data: Uint8ClampedArray };
        type Source = { readRegion(rect: object, mpp: number | null): Promise<Rgba>; close(): Promise<void> };
        type Engine = { load(options: object): Promise<unknown>; embedImages(images: Rgba[]): Promise<Float32Array[]>; terminate(): void };
        type Index = { cells: Uint32Array; grid: { columns: number; rows: number; targetMpp: number | null; tileSidePixels: number } };
        type Search = {
          buildSlideIndex(options: object): Promise<Index>;
          scoreAllTiles(index: object, query: Float32Array, options: object): Promise<Float32Array>;
          topK(scores: Float32Array, k: number): unknown;
          pauseForEventLoop(): Promise<void>;
          normalized(vector: Float32Array): Float32Array | null;
          quantizeInto(vector: Float32Array, target: Int8Array, offset: number): number;
          tileRect(grid: object, cell: number): object;
          indexedDbSearchIndexRecords(dbName: string): unknown;
          saveSearchIndex(records: unknown, index: Index): Promise<void>;
        };
        const hook = (window as unknown as { __patholens: { openSlide(url: string): Promise<Source>; PathoClipClient: new () => Engine; search: Search } })
          .__patholens;
        const search = hook.search;
        let state = 1;
        const next = () => ((state = (state * 1664525 + 1013904223) >>> 0), state / 2 ** 32);
        const embeddings = new Int8Array(tileCount * dim);
        const scales = new Float32Array(tileCount);
        const vector = new Float32Array(dim);
        for (let tile = 0; tile < tileCount; tile++) {
          for (let i = 0; i < dim; i++) vector[i] = next() * 2 - 1;
          scales[tile] = search.quantizeInto(search.normalized(vector)!, embeddings, tile * dim);
        }
        const synthetic = { embeddings, scales, embedDim: dim, cells: Uint32Array.from({ length: tileCount }, (_, i) => i) };
        const query = [];
        for (let repeat = 0; repeat < 8; repeat++) {
          const q = search.normalized(Float32Array.from({ length: dim }, () => next() * 2 - 1))!;
          let longestHoldMs = 0;
          let chunks = 1;
          let resumed = performance.now();
          const started = resumed;
          const scores = await search.scoreAllTiles(synthetic, q, {
            pause: async () => {
              longestHoldMs = Math.max(longestHoldMs, performance.now() - resumed);
              chunks += 1;
              await search.pauseForEventLoop();
              resumed = performance.now();
            },
          });
          longestHoldMs = Math.max(longestHoldMs, performance.now() - resumed);
          const scoreMs = performance.now() - started;
          const mark = performance.now();
          search.topK(scores, 20);
          if (repeat > 0) query.push({ scoreMs, longestHoldMs, chunks, topKMs: performance.now() - mark, heatmapMs: 0 }); // the first run warms the JIT
        }

        const source = await hook.openSlide('/bench-slide.svs');
        const engine = new hook.PathoClipClient();
        await engine.load({
          modelRoot,
          modelName,
          imageDtype: dtype,
          textDtype: 'fp32',
          device: 'wasm',
          wasmThreads: Math.max(1, navigator.hardwareConcurrency - 1),
        });
        const blank = () => ({ width: 224, height: 224, data: new Uint8ClampedArray(224 * 224 * 4).fill(200) });
        await engine.embedImages([blank(), blank()]);
        const started = performance.now();
        const index = await search.buildSlideIndex({ source, slideIdentity: 'bench', engine, magnification });
        await search.saveSearchIndex(search.indexedDbSearchIndexRecords('patholens-search-bench'), index);
        const pathSeconds = (performance.now() - started) / 1000;
        const tiles: Rgba[] = [];
        for (const cell of Array.from(index.cells.slice(0, 256))) {
          const region = await source.readRegion(search.tileRect(index.grid, cell), index.grid.targetMpp);
          const side = index.grid.tileSidePixels;
          tiles.push({ width: side, height: side, data: region.data.slice(0, side * side * 4) });
        }
        const modelStarted = performance.now();
        for (let at = 0; at < tiles.length; at += batchSize) await engine.embedImages(tiles.slice(at, at + batchSize));
        const modelSeconds = (performance.now() - modelStarted) / 1000;
        const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
        const memoryBytes = measure ? (await measure.call(performance)).bytes : null;
        engine.terminate();
        await source.close();
        return {
          query,
          tissueTiles: index.cells.length,
          gridTiles: index.grid.columns * index.grid.rows,
          pathSeconds,
          modelImages: tiles.length,
          modelSeconds,
          memoryMiB: memoryBytes === null ? null : memoryBytes / 2 ** 20,
        };
      },
      {
        modelRoot: `/models/${modelPath.slice(0, slash + 1)}`,
        modelName: modelPath.slice(slash + 1),
        dtype,
        magnification,
        tileCount,
        dim,
        batchSize: DEFAULT_BATCH_SIZE,
      },
    );
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

function blankTile(side: number): RgbaImage {
  return { width: side, height: side, data: new Uint8ClampedArray(side * side * 4).fill(200) };
}

const suite: BenchSuite = {
  name: 'clip',
  description: 'Whole-slide search: query latency over 100,000 tiles; indexing tiles/s (read + mask + embed + store) vs the model alone',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const modelPath = option(args, '--model', 'tiny/pathoclip');
    const dtype = option(args, '--dtype', 'fp32') as ModelDtype;
    const slideSize = Number(option(args, '--slide-size', '8192'));
    const magnification = Number(option(args, '--magnification', '20'));
    const chromiumSlideSize = Number(option(args, '--chromium-slide-size', String(slideSize)));
    const tileCount = Number(option(args, '--tiles', '100000'));
    const dim = Number(option(args, '--dim', '512'));

    log(`query latency: ${tileCount} tiles x ${dim} dimensions`);
    const index = syntheticIndex(tileCount, dim);
    await timeQuery(index, 99); // warm-up (JIT)
    const timings: QueryTiming[] = [];
    for (let repeat = 0; repeat < 7; repeat++) timings.push(await timeQuery(index, repeat + 1));
    const indexing = await timeIndexing(modelPath, dtype, slideSize, magnification, log);
    let browser: ChromiumResult | null = null;
    let browserNote = '';
    try {
      browser = await runChromium(modelPath, dtype, chromiumSlideSize, magnification, tileCount, dim, log);
    } catch (error) {
      browserNote = `Chromium run failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      log(browserNote);
    }

    const overhead = 1 - indexing.pathTilesPerSecond / indexing.modelImagesPerSecond;
    const browserPathRate = browser ? browser.tissueTiles / browser.pathSeconds : null;
    const browserModelRate = browser ? browser.modelImages / browser.modelSeconds : null;
    const rows: Record<string, BenchCell>[] = [
      {
        measure: `query: score ${tileCount.toLocaleString('en')} tiles (${dim}-d int8), chunked`,
        node: median(timings.map((t) => t.scoreMs)),
        chromium: browser ? median(browser.query.map((t) => t.scoreMs)) : null,
        unit: 'ms',
        note: `median of ${timings.length}; ${timings[0]!.chunks} chunks`,
      },
      {
        measure: 'query: longest hold of the thread between pauses',
        node: Math.max(...timings.map((t) => t.longestHoldMs)),
        chromium: browser ? Math.max(...browser.query.map((t) => t.longestHoldMs)) : null,
        unit: 'ms',
        note: 'worst over all runs (UI stays responsive below ~50 ms)',
      },
      {
        measure: 'query: top-20',
        node: median(timings.map((t) => t.topKMs)),
        chromium: browser ? median(browser.query.map((t) => t.topKMs)) : null,
        unit: 'ms',
        note: '',
      },
      {
        measure: `query: heatmap picture (${index.grid.columns} x ${index.grid.rows} cells)`,
        node: median(timings.map((t) => t.heatmapMs)),
        chromium: null,
        unit: 'ms',
        note: '',
      },
      {
        measure: 'index size in memory / IndexedDB',
        node: (index.embeddings.byteLength + index.scales.byteLength + index.cells.byteLength) / 2 ** 20,
        chromium: null,
        unit: 'MiB',
        note: 'int8 + a float32 scale and a cell per tile',
      },
      {
        measure: 'indexing: whole path (read + mask + embed + store)',
        node: indexing.pathTilesPerSecond,
        chromium: browserPathRate,
        unit: 'tiles/s',
        note: `Node: ${indexing.tissueTiles} tissue tiles of ${indexing.gridTiles} (${slideSize} px), ${indexing.pathSeconds.toFixed(1)} s; Chromium: ${browser ? `${browser.tissueTiles} of ${browser.gridTiles} (${chromiumSlideSize} px), ${browser.pathSeconds.toFixed(1)} s` : '-'}`,
      },
      {
        measure: 'indexing: model alone, same tiles and batches',
        node: indexing.modelImagesPerSecond,
        chromium: browserModelRate,
        unit: 'images/s',
        note: `${modelPath} ${dtype}; Node: onnxruntime-node, Chromium: ONNX Runtime Web WASM worker`,
      },
      {
        measure: 'indexing overhead beyond the model',
        node: overhead * 100,
        chromium: browserPathRate && browserModelRate ? (1 - browserPathRate / browserModelRate) * 100 : null,
        unit: '%',
        note: 'goal < 15%',
      },
      {
        measure: 'Chromium model images/s ÷ Node',
        node: null,
        chromium: browserModelRate ? browserModelRate / indexing.modelImagesPerSecond : null,
        unit: 'ratio',
        note: 'goal >= 0.5',
      },
      {
        measure: 'memory',
        node: indexing.peakRssMiB,
        chromium: browser?.memoryMiB ?? null,
        unit: 'MiB',
        note: 'Node: peak RSS; Chromium: measureUserAgentSpecificMemory of page + workers at the end',
      },
    ];
    return {
      resultName: modelPath === 'tiny/pathoclip' ? 'clip' : `clip-${path.basename(modelPath)}`,
      title: `Whole-slide search on ${modelPath} (${dtype}), H&E slides indexed at ${magnification}x, Node ${process.version} and Chromium (WASM), ${cpus().length} cores`,
      columns: ['measure', 'node', 'chromium', 'unit', 'note'],
      rows,
      notes: [
        'Query: the app scores in chunks of 4096 tiles and yields to the event loop between them (MessageChannel), so "longest hold" is what a click or a paint can wait at worst.',
        'Indexing overhead = 1 - (whole-path tiles/s / model-alone images/s). The whole path reads JPEG tiles through the app reader (decoded in this thread in Node; in decode workers in the browser) while the model embeds the previous batch.',
        ...(browserNote ? [browserNote] : []),
      ],
      details: { timings, indexing, browser, modelPath, dtype, slideSize, chromiumSlideSize, magnification, tileCount, dim },
    };
  },
};

export default suite;
