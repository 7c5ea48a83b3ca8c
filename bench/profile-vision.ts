/**
 * Per-operator profile of one ONNX session (by default the Patho-R1 vision tower) in onnxruntime-node and in ONNX
 * Runtime Web inside Chromium (a cross-origin isolated page, a module worker, as the app runs it), same inputs and
 * thread count, with ONNX Runtime's own profiler (session option enableProfiling). ONNX Runtime Web has no file
 * system: at endProfiling its WASM prints the profile's JSON lines to the console, which the worker captures.
 *
 *   tsx bench/profile-vision.ts --model DIR_OR_ONNX [--threads 2] [--runs 2] [--grid 24x32] [--session vision|decoder] [--past 280]
 *       [--builds plain,asyncify] [--graph-opt all|extended|basic|disabled] [--out bench/results/profile-vision.json]
 *
 * --model: an exported model folder (its onnx/vision_encoder_quantized.onnx, i.e. q8) or any .onnx file whose
 * inputs are pixel_values [N,1176] and image_grid_thw [n,3]. --grid HxW in patches (24x32 = a 336x448 px region,
 * 768 patches). --session decoder profiles one decode step of the folder's q8 decoder instead
 * (onnx/decoder_model_merged_quantized.onnx: one new token after --past N cached ones, default 280, about a
 * first answer's length with a 448 x 336 region). --builds: which ONNX Runtime Web WASM builds to run, alternating in one browser: `asyncify` is
 * the WebGPU-capable build transformers.js's web bundle loads by default, `plain` the CPU-only build. Only the
 * last run of each runner is tabulated (the first warms up). Prints a table and writes the JSON.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import * as ortNode from 'onnxruntime-node';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../e2e/chromium';
import { PROFILE_CAPTURE, parseProfileLines, sendFile, startWorkerPageServer, workerCaller, type OrtWorkerReply, type ProfileEvent } from './ort-worker-page';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface OpRow {
  op: string;
  ms: number;
  count: number;
}

export interface RunnerProfile {
  runner: string;
  runMs: number[];
  ops: OpRow[];
}

function option(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] ? args[index + 1]! : fallback;
}

/** Per operator type: kernel time (ms) and node count inside the last `model_run` of a profile. */
export function opTotals(events: ProfileEvent[]): { runMs: number[]; ops: OpRow[] } {
  const runs = events.filter((event) => event.cat === 'Session' && event.name === 'model_run');
  const last = runs.at(-1);
  if (!last) throw new Error('The profile has no model_run event: was enableProfiling set and the session run?');
  const totals = new Map<string, OpRow>();
  for (const event of events) {
    if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time') || event.ts < last.ts || event.ts > last.ts + last.dur) continue;
    const op = event.args?.op_name ?? '?';
    const row = totals.get(op) ?? { op, ms: 0, count: 0 };
    row.ms += event.dur / 1000;
    row.count++;
    totals.set(op, row);
  }
  return { runMs: runs.map((run) => run.dur / 1000), ops: [...totals.values()].sort((a, b) => b.ms - a.ms) };
}

/** One input, described so Node and the page build the same tensor: `lcg` = deterministic values in [-1, 1). */
export interface FeedSpec {
  name: string;
  type: 'float32' | 'int64';
  dims: number[];
  fill: 'lcg' | number[];
}

/** Deterministic values in [-1, 1) (the kernels' time does not depend on them). */
function lcgValues(count: number): Float32Array {
  const values = new Float32Array(count);
  let state = 12345;
  for (let index = 0; index < count; index++) {
    state = (state * 1103515245 + 12345) >>> 0;
    values[index] = state / 2 ** 31 - 1;
  }
  return values;
}

/** The vision tower's inputs for a grid of patches. */
export function visionFeeds(grid: [number, number]): FeedSpec[] {
  const patches = grid[0] * grid[1];
  return [
    { name: 'pixel_values', type: 'float32', dims: [patches, 1176], fill: 'lcg' },
    { name: 'image_grid_thw', type: 'int64', dims: [1, 3], fill: [1, grid[0], grid[1]] },
  ];
}

/** One decode step of the merged decoder: a new token's embedding after `past` cached tokens. */
export function decoderFeeds(inputs: { name: string; shape: (number | string)[] }[], past: number): FeedSpec[] {
  return inputs.map(({ name, shape }): FeedSpec => {
    if (name === 'inputs_embeds') return { name, type: 'float32', dims: [1, 1, Number(shape[2])], fill: 'lcg' };
    if (name === 'attention_mask') return { name, type: 'int64', dims: [1, past + 1], fill: new Array<number>(past + 1).fill(1) };
    if (name === 'position_ids') return { name, type: 'int64', dims: [3, 1, 1], fill: [past, past, past] };
    if (name === 'num_logits_to_keep') return { name, type: 'int64', dims: [], fill: [1] }; // logits of the last position only
    if (name.startsWith('past_key_values.')) return { name, type: 'float32', dims: [1, Number(shape[1]), past, Number(shape[3])], fill: 'lcg' };
    throw new Error(`The decoder has an input this profiler does not know how to fill: ${name}`);
  });
}

function nodeTensor(spec: FeedSpec): ortNode.Tensor {
  const count = spec.dims.reduce((a, b) => a * b, 1);
  if (spec.type === 'float32') return new ortNode.Tensor('float32', spec.fill === 'lcg' ? lcgValues(count) : Float32Array.from(spec.fill), spec.dims);
  if (spec.fill === 'lcg') throw new Error(`${spec.name}: integer inputs need explicit values`);
  return new ortNode.Tensor(
    'int64',
    BigInt64Array.from(spec.fill, (value) => BigInt(value)),
    spec.dims,
  );
}

/** A native session that can run one round at a time, interleaved with the browser's. */
async function nativeRunner(modelFile: string, specs: FeedSpec[], threads: number, graphOpt: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'patholens-profile-'));
  const session = await ortNode.InferenceSession.create(modelFile, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: graphOpt as 'all',
    enableProfiling: true,
    profileFilePrefix: path.join(dir, 'node'),
  });
  const feeds = Object.fromEntries(specs.map((spec) => [spec.name, nodeTensor(spec)]));
  return {
    async run(): Promise<void> {
      await session.run(feeds);
    },
    async finish(): Promise<RunnerProfile> {
      session.endProfiling();
      await session.release();
      const file = readdirSync(dir).find((name) => name.endsWith('.json'));
      if (!file) throw new Error(`onnxruntime-node wrote no profile into ${dir}`);
      const events = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ProfileEvent[];
      return { runner: `onnxruntime-node ${ortNode.env.versions.node ?? ''} · ${threads} threads`, ...opTotals(events) };
    },
  };
}

/** The module worker: ONNX Runtime Web's webgpu bundle (the one transformers.js loads) with the chosen WASM build. */
const WORKER_SOURCE = `${PROFILE_CAPTURE}
let ort, session, feeds;
self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'init') {
      ort = await import('/ort/ort.webgpu.min.mjs');
      const build = data.build === 'asyncify' ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
      ort.env.wasm.wasmPaths = { mjs: self.location.origin + '/ort/' + build + '.mjs', wasm: self.location.origin + '/ort/' + build + '.wasm' };
      ort.env.wasm.numThreads = data.threads;
      const bytes = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: data.graphOpt, enableProfiling: true });
      // The same tensors as nodeTensor() builds in Node (FeedSpec).
      feeds = {};
      for (const spec of data.specs) {
        const count = spec.dims.reduce((a, b) => a * b, 1);
        if (spec.type === 'int64') { feeds[spec.name] = new ort.Tensor('int64', BigInt64Array.from(spec.fill, (v) => BigInt(v)), spec.dims); continue; }
        let values;
        if (spec.fill === 'lcg') {
          values = new Float32Array(count);
          let state = 12345;
          for (let i = 0; i < count; i++) { state = (state * 1103515245 + 12345) >>> 0; values[i] = state / 2 ** 31 - 1; }
        } else values = Float32Array.from(spec.fill);
        feeds[spec.name] = new ort.Tensor('float32', values, spec.dims);
      }
      self.postMessage({ threads: ort.env.wasm.numThreads, version: ort.env.versions.web, isolated: self.crossOriginIsolated });
    } else if (data.type === 'run') {
      const t = performance.now();
      await session.run(feeds);
      self.postMessage({ ms: performance.now() - t });
    } else {
      session.endProfiling();
      self.postMessage({ lines });
    }
  } catch (error) {
    self.postMessage({ error: String((error && error.stack) || error) });
  }
};
`;

interface WorkerReply extends OrtWorkerReply {
  lines?: string[];
}

/**
 * Native and each ONNX Runtime Web build (one module worker each, all alive at once) run in turns, round after
 * round, so a change in the machine's load hits every runner alike.
 */
async function profileInterleaved(
  modelFile: string,
  specs: FeedSpec[],
  threads: number,
  runs: number,
  graphOpt: string,
  builds: string[],
  log: (message: string) => void,
): Promise<RunnerProfile[]> {
  const { server, url } = await startWorkerPageServer(WORKER_SOURCE, (pathname, response) => {
    if (pathname !== '/model.onnx') return false;
    sendFile(response, modelFile);
    return true;
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...QUIET_CHROMIUM_FLAGS, '--disable-features=WebGPU'] });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => log(`page: ${message.text().slice(0, 200)}`));
    // One worker per build, kept in the page.
    const call = await workerCaller<WorkerReply>(page, url, (index) => `Chromium, ${builds[index]} build`);
    const native = await nativeRunner(modelFile, specs, threads, graphOpt);
    const labels: string[] = [];
    for (const [index, build] of builds.entries()) {
      log(`Chromium, ${build} build: creating the session`);
      const started = await call(index, { type: 'init', build, threads, graphOpt, specs });
      if (!started.isolated) throw new Error('The page is not cross-origin isolated: ONNX Runtime Web would run one thread.');
      labels.push(`Chromium WASM ${started.version} · ${build} build · ${started.threads} threads`);
    }
    for (let round = 0; round < runs; round++) {
      const startedAt = performance.now();
      await native.run();
      const times = [`native ${(performance.now() - startedAt).toFixed(0)} ms`];
      for (const [index, build] of builds.entries()) times.push(`${build} ${(await call(index, { type: 'run' })).ms!.toFixed(0)} ms`);
      log(`round ${round + 1}/${runs}: ${times.join(', ')}; load average ${loadavg()[0]!.toFixed(1)}`);
    }
    const profiles = [await native.finish()];
    for (const [index] of builds.entries()) {
      const { lines } = await call(index, { type: 'end' });
      profiles.push({ runner: labels[index]!, ...opTotals(parseProfileLines(lines ?? [])) });
    }
    return profiles;
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const model = option(args, '--model', path.join(root, 'models', 'local', 'patho-r1-0.5b-random'));
  const sessionKind = option(args, '--session', 'vision');
  const past = Number(option(args, '--past', '280'));
  const modelFile = model.endsWith('.onnx')
    ? model
    : path.join(model, 'onnx', sessionKind === 'decoder' ? 'decoder_model_merged_quantized.onnx' : 'vision_encoder_quantized.onnx');
  const threads = Number(option(args, '--threads', '2'));
  const runs = Number(option(args, '--runs', '2'));
  const [gridH, gridW] = option(args, '--grid', '24x32').split('x').map(Number) as [number, number];
  const builds = option(args, '--builds', 'plain,asyncify').split(',').filter(Boolean);
  const graphOpt = option(args, '--graph-opt', 'all');
  const out = option(args, '--out', path.join(root, 'bench', 'results', sessionKind === 'decoder' ? 'profile-decoder.json' : 'profile-vision.json'));
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const loadBefore = loadavg()[0]!;
  let specs = visionFeeds([gridH, gridW]);
  if (sessionKind === 'decoder') {
    const probe = await ortNode.InferenceSession.create(modelFile);
    specs = decoderFeeds(
      probe.inputMetadata.map((input) => ({ name: input.name, shape: input.isTensor ? [...input.shape] : [] })),
      past,
    );
    await probe.release();
  }
  const what = sessionKind === 'decoder' ? `one decode step after ${past} tokens` : `grid ${gridH}x${gridW}`;
  log(`profiling ${modelFile}: ${what}, ${threads} threads, ${runs} runs, graph optimisation ${graphOpt}; load average ${loadBefore.toFixed(1)}`);
  const profiles = await profileInterleaved(modelFile, specs, threads, runs, graphOpt, builds, log);
  const loadAfter = loadavg()[0]!;
  const native = profiles[0]!;
  const ops = [...new Set(profiles.flatMap((profile) => profile.ops.map((row) => row.op)))];
  const msOf = (profile: RunnerProfile, op: string) => profile.ops.find((row) => row.op === op)?.ms ?? 0;
  ops.sort((a, b) => msOf(profiles[1] ?? native, b) - msOf(profiles[1] ?? native, a));
  const header = ['operator', 'count', ...profiles.map((profile, index) => (index === 0 ? 'native ms' : `${profile.runner.split(' · ')[1]} ms (x native)`))];
  const lines = [header.join(' | ')];
  const total = (profile: RunnerProfile) => profile.ops.reduce((sum, row) => sum + row.ms, 0);
  for (const op of ops) {
    const count = native.ops.find((row) => row.op === op)?.count ?? profiles[1]?.ops.find((row) => row.op === op)?.count ?? 0;
    const cells = profiles.map((profile, index) => {
      const ms = msOf(profile, op);
      return index === 0 ? ms.toFixed(1) : `${ms.toFixed(1)} (${msOf(native, op) > 0 ? (ms / msOf(native, op)).toFixed(1) : '-'}x)`;
    });
    lines.push([op, String(count), ...cells].join(' | '));
  }
  lines.push(
    [
      'sum of kernels',
      '',
      ...profiles.map((profile, index) =>
        index === 0 ? total(profile).toFixed(0) : `${total(profile).toFixed(0)} (${(total(profile) / total(native)).toFixed(1)}x)`,
      ),
    ].join(' | '),
  );
  lines.push(['model_run (each run)', '', ...profiles.map((profile) => profile.runMs.map((ms) => ms.toFixed(0)).join(' / '))].join(' | '));
  process.stdout.write(
    `${profiles.map((profile) => `- ${profile.runner}`).join('\n')}\n${lines.join('\n')}\nload average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after\n`,
  );
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ modelFile, session: sessionKind, grid: [gridH, gridW], past, threads, runs, graphOpt, loadBefore, loadAfter, profiles }, null, 2)}\n`,
  );
  log(`wrote ${out}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
