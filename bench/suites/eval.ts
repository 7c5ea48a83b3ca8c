/**
 * `npm run bench -- eval [--model tiny/patho-r1] [--dtype fp32] [--items 24] [--tokens 32] [--repeats 9]`: the
 * evaluation harness's own cost, in one run on the same MCQ items (a VLMEvalKit TSV written from the fixtures):
 *  - the harness: `runEval` end to end (read the TSV, decode each base64 image, build the prompt, generate,
 *    read the choice, fsync a record per item, write the summary);
 *  - the model alone: the same in-thread engine called in a loop on the same prompts and pre-decoded images.
 * Items per second of each (median of the repeats, run alternately) and the harness's overhead (median of the
 * paired ratios of each repeat's two runs); goal < 5%.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEval } from '../../eval/harness';
import { decodeImage } from '../../eval/image';
import { readTsvRows, readVlmEvalKitTsv } from '../../eval/readers/vlmevalkit-tsv';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { InThreadPathoR1Engine } from '../../src/inference/in-thread-engine';
import type { ModelDtype } from '../../src/inference/model-manifest';
import { buildPathoR1Messages } from '../../src/inference/patho-r1-prompt';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function option(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** `count` MCQs in VLMEvalKit's TSV, cycling through the fixture's two base64 images. */
async function writeItems(folder: string, count: number): Promise<string> {
  const rows = (await readTsvRows(path.join(root, 'tests/fixtures/eval/vlmevalkit/PathMMU_TINY.tsv'))).slice(0, 2);
  const lines = [['index', 'question', 'A', 'B', 'C', 'answer', 'image'].join('\t')];
  for (let index = 0; index < count; index++) {
    const row = rows[index % 2]!;
    lines.push([index, `Question ${index}: which tissue is shown?`, row.A, row.B, row.C, 'ABC'[index % 3], row.image].join('\t'));
  }
  const file = path.join(folder, 'items.tsv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function run({ args, log }: BenchContext): Promise<BenchReport> {
  const model = option(args, '--model', 'tiny/patho-r1');
  const dtype = option(args, '--dtype', 'fp32') as ModelDtype;
  const count = Number(option(args, '--items', '24'));
  const tokens = Number(option(args, '--tokens', '32'));
  const repeats = Number(option(args, '--repeats', '9'));
  const folder = mkdtempSync(path.join(tmpdir(), 'bench-eval-'));
  const data = await writeItems(folder, count);
  log(`loading ${model} (${dtype})`);
  const runtime = await PathoR1Runtime.load({
    modelRoot: path.join(root, 'models', path.dirname(model)),
    modelName: path.basename(model),
    dtype,
    device: 'cpu',
  });
  const engine = new InThreadPathoR1Engine(runtime);
  // Both sides force the same number of tokens, so neither can stop early on an end token.
  const settings = { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: tokens, minNewTokens: tokens };
  const forced = { generate: (request: Parameters<typeof engine.generate>[0]) => engine.generate({ ...request, settings }) };

  const items = await readVlmEvalKitTsv(data);
  const prepared = await Promise.all(
    items.map(async (item) => ({
      messages: buildPathoR1Messages([{ question: item.question, options: item.options, withImage: true }]),
      images: [await decodeImage(item.image)],
    })),
  );

  const modelAlone = async () => {
    const started = performance.now();
    for (const request of prepared) await engine.generate({ ...request, settings });
    return count / ((performance.now() - started) / 1000);
  };
  const harness = async (repeat: number) => {
    const out = path.join(folder, `run-${repeat}`);
    const started = performance.now();
    const summary = await runEval({ task: 'mcq', data, out, model, maxNewTokens: tokens }, { reasoner: forced });
    const rate = count / ((performance.now() - started) / 1000);
    if (summary.evaluated !== count) throw new Error(`The harness evaluated ${summary.evaluated} of ${count} items.`);
    rmSync(out, { recursive: true, force: true });
    return rate;
  };

  // The harness's own cost, free of the model's noise: an engine that answers at once (a well-formed reply).
  const instant = {
    generate: async () => ({
      newTokenIds: [],
      text: '<think>Crowded glands.</think><answer>B</answer>',
      stopped: false,
      stats: { promptTokens: 0, reusedTokens: 0, newTokens: 1, timeToFirstTokenMs: 0, tokensPerSecond: null },
    }),
  };
  const harnessCostMs: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    const out = path.join(folder, `instant-${repeat}`);
    const started = performance.now();
    await runEval({ task: 'mcq', data, out, model: 'instant' }, { reasoner: instant });
    harnessCostMs.push((performance.now() - started) / count);
    rmSync(out, { recursive: true, force: true });
  }

  log('warm-up');
  await engine.generate({ ...prepared[0]!, settings });
  const alone: number[] = [];
  const withHarness: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    // Alternate which goes first, so drift on a busy machine does not favour one side.
    if (repeat % 2 === 0) {
      alone.push(await modelAlone());
      withHarness.push(await harness(repeat));
    } else {
      withHarness.push(await harness(repeat));
      alone.push(await modelAlone());
    }
    log(`repeat ${repeat + 1}: model alone ${alone.at(-1)!.toFixed(2)} items/s, harness ${withHarness.at(-1)!.toFixed(2)} items/s`);
  }
  await runtime.dispose();
  rmSync(folder, { recursive: true, force: true });

  const aloneRate = median(alone);
  const harnessRate = median(withHarness);
  // Each repeat pairs the two runs back to back; the median of the paired ratios cancels the drift of a busy machine.
  const pairedRatio = median(alone.map((rate, index) => rate / withHarness[index]!));
  const overhead = (pairedRatio - 1) * 100;
  const costMs = median(harnessCostMs);
  const modelMs = 1000 / aloneRate;
  return {
    title: `Evaluation harness vs the model alone: ${count} MCQs (VLMEvalKit TSV, base64 images), ${model} ${dtype}, ${tokens} new tokens each, median of ${repeats} paired repeats`,
    columns: ['runner', 'items/s', 'relative to the model alone', 'harness overhead'],
    rows: [
      {
        runner: 'model alone (in-thread engine in a loop, images decoded beforehand)',
        'items/s': Number(aloneRate.toFixed(2)),
        'relative to the model alone': 1,
        'harness overhead': null,
      },
      {
        runner: 'npm run eval harness (read, decode, prompt, generate, score, fsync each record, summary)',
        'items/s': Number(harnessRate.toFixed(2)),
        'relative to the model alone': Number((1 / pairedRatio).toFixed(3)),
        'harness overhead': `${overhead.toFixed(1)}%`,
      },
      {
        runner: `the harness's own work per item, with an engine that answers at once: ${costMs.toFixed(2)} ms (the model takes ${modelMs.toFixed(0)} ms)`,
        'items/s': Number((1000 / costMs).toFixed(1)),
        'relative to the model alone': null,
        'harness overhead': `${((costMs / modelMs) * 100).toFixed(1)}%`,
      },
    ],
    notes: [
      "Goal: harness overhead under 5%. Tiny random-weight model: generation is short, so this is the harness's worst case; a real model spends far longer per item.",
    ],
    details: { alone, withHarness, harnessCostMs, items: count, tokens, dtype },
  };
}

const suite: BenchSuite = { name: 'eval', description: 'evaluation harness items/s vs the model alone on the same MCQs', run };
export default suite;
