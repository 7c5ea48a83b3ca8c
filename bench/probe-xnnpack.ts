/**
 * Is ONNX Runtime Web's XNNPACK execution provider a faster CPU path than its default WASM kernels for the GEMMs
 * that dominate Patho-R1's vision tower (issue #18)? The shipped WASM binary has XNNPACK compiled in, but XNNPACK's
 * ONNX Runtime kernels take only float MatMul/Gemm with a constant 2-D weight and fully static input shapes, so the
 * comparison is the vision tower's shape as a stack of 8 chained 1280 x 1280 MatMuls at M = 768 (a 448 x 336 region):
 *   - fp32 weights on the XNNPACK EP,
 *   - fp32 weights on the default WASM EP (MLAS),
 *   - int8 weights (dynamic quantization, what the app ships as q8) on the default WASM EP,
 * each in its own module worker of one cross-origin isolated Chromium page, the same inputs, interleaved rounds.
 * ONNX Runtime's profiler tells which provider ran the MatMul nodes. Prints a table and one JSON line.
 *
 *   tsx bench/probe-xnnpack.ts [--threads 2] [--rounds 5]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../e2e/chromium';
import {
  ORT_WEB_DIST,
  PROFILE_CAPTURE,
  parseProfileLines,
  sendFile,
  sendIsolated,
  startWorkerPageServer,
  workerCaller,
  type OrtWorkerReply,
  type ProfileEvent,
} from './ort-worker-page';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const M = 768;
const K = 1280;
const LAYERS = 8;

/** The two models (fp32 and its dynamic int8 quantization), written by the project's Python environment. */
function makeModels(dir: string): { fp32: string; int8: string } {
  const script = `
import numpy as np, onnx, sys
from onnx import helper, TensorProto, numpy_helper
from onnxruntime.quantization import quantize_dynamic, QuantType
rng = np.random.default_rng(0)
nodes, inits, name = [], [], 'x'
for i in range(${LAYERS}):
    w = (rng.standard_normal((${K}, ${K})) / ${K} ** 0.5).astype(np.float32)
    inits.append(numpy_helper.from_array(w, f'w{i}'))
    nodes.append(helper.make_node('MatMul', [name, f'w{i}'], [f'h{i}']))
    name = f'h{i}'
graph = helper.make_graph(nodes, 'stack', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [${M}, ${K}])],
                          [helper.make_tensor_value_info(name, TensorProto.FLOAT, [${M}, ${K}])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)])
model.ir_version = 8
onnx.save(model, sys.argv[1] + '/fp32.onnx')
quantize_dynamic(sys.argv[1] + '/fp32.onnx', sys.argv[1] + '/int8.onnx', weight_type=QuantType.QInt8)
`;
  execFileSync(path.join(root, '.venv', 'bin', 'python'), ['-c', script, dir], { stdio: 'inherit' });
  return { fp32: path.join(dir, 'fp32.onnx'), int8: path.join(dir, 'int8.onnx') };
}

/**
 * ONNX Runtime Web's JS API no longer accepts 'xnnpack' (no backend of that name; its session options throw "not
 * supported execution provider") although the WASM binary still has the XNNPACK EP compiled in. For this measurement
 * only, the served copy of ort.wasm.min.mjs (the installed file is not touched) registers 'xnnpack' as another name
 * of the WASM backend and passes it to the binary as "XNNPACK". Fails loudly when the minified text changes.
 */
function withXnnpackEnabled(): string {
  let source = readFileSync(path.join(ORT_WEB_DIST, 'ort.wasm.min.mjs'), 'utf8');
  const epSwitch = /let (\w+)=typeof (\w+)=="string"\?\2:\2\.name/.exec(source);
  const backends = /(\w+)\("cpu",(\w+),10\),\1\("wasm",\2,10\)/.exec(source);
  if (!epSwitch || !backends || !source.includes('case"wasm":case"cpu":continue')) {
    throw new Error('ort.wasm.min.mjs no longer has the text this probe patches; update withXnnpackEnabled()');
  }
  source = source.replace('case"wasm":case"cpu":continue', `case"xnnpack":${epSwitch[1]}="XNNPACK";break;case"wasm":case"cpu":continue`);
  return source.replace(backends[0], `${backends[0]},${backends[1]}("xnnpack",${backends[2]},9)`);
}

const WORKER_SOURCE = `${PROFILE_CAPTURE}
let ort, session, feeds;
self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'init') {
      ort = await import('/ort/ort.wasm.min.mjs');
      ort.env.wasm.wasmPaths = { mjs: self.location.origin + '/ort/ort-wasm-simd-threaded.mjs', wasm: self.location.origin + '/ort/ort-wasm-simd-threaded.wasm' };
      ort.env.wasm.numThreads = data.threads;
      const bytes = new Uint8Array(await (await fetch('/' + data.model)).arrayBuffer());
      session = await ort.InferenceSession.create(bytes, { executionProviders: [data.ep], enableProfiling: true });
      const x = new Float32Array(data.m * data.k);
      for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37);
      feeds = { x: new ort.Tensor('float32', x, [data.m, data.k]) };
      self.postMessage({ threads: ort.env.wasm.numThreads, version: ort.env.versions.web, isolated: self.crossOriginIsolated });
    } else if (data.type === 'run') {
      const t = performance.now();
      const out = await session.run(feeds);
      const ms = performance.now() - t;
      const y = out[session.outputNames[0]].data;
      self.postMessage({ ms, sample: [y[0], y[12345], y[y.length - 1]] });
    } else {
      session.endProfiling();
      self.postMessage({ lines });
    }
  } catch (error) {
    self.postMessage({ error: String((error && error.stack) || error) });
  }
};
`;

/** How many nodes of each operator ran on each execution provider, over the whole profile. */
function nodesByProvider(events: ProfileEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) {
    if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time')) continue;
    const key = `${event.args?.op_name ?? '?'} on ${event.args?.provider ?? '?'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

interface Reply extends OrtWorkerReply {
  sample?: number[];
  lines?: string[];
}

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threads = option(args, '--threads', 2);
  const rounds = option(args, '--rounds', 5);
  const models = makeModels(mkdtempSync(path.join(tmpdir(), 'patholens-xnnpack-')));
  const runners = [
    { label: 'fp32 · XNNPACK EP', ep: 'xnnpack', model: 'fp32.onnx' },
    { label: 'fp32 · WASM EP (MLAS)', ep: 'wasm', model: 'fp32.onnx' },
    { label: 'int8 (q8) · WASM EP (MLAS)', ep: 'wasm', model: 'int8.onnx' },
  ];
  const { server, url } = await startWorkerPageServer(WORKER_SOURCE, (pathname, response) => {
    if (pathname === '/fp32.onnx') sendFile(response, models.fp32);
    else if (pathname === '/int8.onnx') sendFile(response, models.int8);
    else if (pathname === '/ort/ort.wasm.min.mjs') sendIsolated(response, 'text/javascript', withXnnpackEnabled());
    else return false;
    return true;
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: QUIET_CHROMIUM_FLAGS });
  const loadBefore = loadavg()[0]!;
  try {
    const page = await browser.newPage();
    page.on('console', (message) => process.stderr.write(`page: ${message.text().slice(0, 300)}\n`));
    const call = await workerCaller<Reply>(page, url, (index) => runners[index]!.label);
    let version = '';
    // A runner whose session cannot be made (the XNNPACK EP, in builds without it) is reported with its error.
    const failures = new Map<number, string>();
    for (const [index, runner] of runners.entries()) {
      try {
        const started = await call(index, { type: 'init', ep: runner.ep, model: runner.model, threads, m: M, k: K });
        if (!started.isolated) throw new Error('The page is not cross-origin isolated: ONNX Runtime Web would run one thread.');
        version = started.version ?? '';
        await call(index, { type: 'run' }); // warm-up (MLAS packs its weights at the first run)
      } catch (error) {
        if (runner.ep === 'wasm') throw error;
        failures.set(index, (error instanceof Error ? error.message : String(error)).split('\n')[0]!);
      }
    }
    const running = [...runners.keys()].filter((index) => !failures.has(index));
    const times = runners.map(() => [] as number[]);
    const samples = runners.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      for (const index of running) {
        const reply = await call(index, { type: 'run' });
        times[index]!.push(reply.ms!);
        samples[index] = reply.sample!;
      }
    }
    const providers: Record<string, number>[] = [];
    for (const index of running) providers[index] = nodesByProvider(parseProfileLines((await call(index, { type: 'end' })).lines ?? []));
    const loadAfter = loadavg()[0]!;
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const gop = (2 * M * K * K * LAYERS) / 1e9;
    const reference = median(times[2]!);
    const rows = runners.map((runner, index) => {
      if (failures.has(index)) return { runner: runner.label, error: failures.get(index)! };
      const ms = median(times[index]!);
      return {
        runner: runner.label,
        medianMs: ms,
        gopPerSecond: gop / (ms / 1000),
        vsInt8: ms / reference,
        ranOn: providers[index]!,
        firstOutputs: samples[index],
      };
    });
    process.stdout.write(
      `ONNX Runtime Web ${version}, Chromium WASM, ${threads} threads, ${LAYERS} chained ${K} x ${K} MatMuls at M = ${M} (${gop.toFixed(1)} GOP a run), median of ${rounds} interleaved rounds; load ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}\n`,
    );
    process.stdout.write('runner                       | median ms | GOP/s | x int8 WASM | nodes a run, by provider\n');
    for (const row of rows) {
      if ('error' in row) {
        process.stdout.write(`${row.runner.padEnd(28)} | no session: ${row.error}\n`);
        continue;
      }
      const ranOn = Object.entries(row.ranOn)
        .map(([key, count]) => `${count / (rounds + 1)} ${key}`) // the profile spans the warm-up and every round
        .join(', ');
      process.stdout.write(
        `${row.runner.padEnd(28)} | ${row.medianMs.toFixed(0).padStart(9)} | ${row.gopPerSecond.toFixed(1).padStart(5)} | ${row.vsInt8.toFixed(2).padStart(11)} | ${ranOn}\n`,
      );
    }
    process.stdout.write(`${JSON.stringify({ version, threads, rounds, m: M, k: K, layers: LAYERS, loadBefore, loadAfter, rows })}\n`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
