/**
 * `npm run bench -- cpu-limits [--threads 2] [--reasoner bench/results/reasoner-patho-r1-0.5b-random.json]`: this
 * computer's physical limits next to what each runner of the realistic-shape reasoner benchmark reached (issue 18).
 *  - Limits, measured natively with the same thread count (bench/python/cpu_limits.py): memory read bandwidth, int8
 *    matrix-multiply throughput (ONNX Runtime's MatMulInteger, which the q8 export uses) at the vision tower's shape,
 *    fp32 GEMM (PyTorch), and the int8 one-row (decode-shaped) product's weight bandwidth.
 *  - Work, from the model's shapes (Qwen2.5-0.5B decoder + the full Qwen2.5-VL vision tower, as
 *    bench/python/make_realistic_qwen.py builds it): multiply-adds of the vision tower on the region's 768 patches and
 *    of the decoder's prefill over the prompt; bytes of weights a decode step reads.
 * Each runner's share = its achieved rate / the limit. Run it right after `npm run bench -- reasoner` on a quiet
 * machine: both are only comparable under the same load (the load average is recorded).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCell, BenchSuite } from '../suite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function option(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
}

interface Limits {
  threads: number;
  read_gb_per_s: number;
  copy_gb_per_s: number;
  fp32_gemm_gflop_per_s: number;
  int8_gemm_gop_per_s: number;
  int8_gemv_weight_gb_per_s: number;
}

function measureLimits(threads: number): Promise<Limits> {
  const python = path.join(root, '.venv', 'bin', 'python');
  if (!existsSync(python)) return Promise.reject(new Error('no .venv: create it as the README says (models/export/requirements.txt)'));
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(root, 'bench/python/cpu_limits.py'), '--threads', String(threads)], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as Limits) : reject(new Error(`cpu_limits.py failed: ${stderr.slice(-500)}`))));
  });
}

// The realistic model's shapes (bench/python/make_realistic_qwen.py).
const DECODER = { hidden: 896, intermediate: 4864, layers: 24, heads: 14, kvHeads: 2, vocab: 151936 };
const VISION = { depth: 32, hidden: 1280, intermediate: 3420, patchInputs: 3 * 2 * 14 * 14, merge: 4, outHidden: 896, windowTokens: 64, fullBlocks: 4 };

/** Multiply-add operations (x2 = FLOPs) of the vision tower on `patches` patches: linear layers + attention + merger. */
export function visionFlops(patches: number): number {
  const { depth, hidden, intermediate, patchInputs, merge, outHidden, windowTokens, fullBlocks } = VISION;
  const linearPerBlock = hidden * 3 * hidden + hidden * hidden + hidden * intermediate * 2 + intermediate * hidden;
  const attention = (tokensSeen: number) => 2 * patches * tokensSeen * hidden; // scores + weighted sum
  const blocks = depth * patches * linearPerBlock + fullBlocks * attention(patches) + (depth - fullBlocks) * attention(windowTokens);
  const merged = patches / merge;
  const merger = merged * (hidden * merge) * (hidden * merge) + merged * hidden * merge * outHidden;
  return 2 * (patches * patchInputs * hidden + blocks + merger);
}

/** Weights of the decoder's linear layers (all but the embedding table), per layer x layers. */
function decoderLinearWeights(): number {
  const { hidden, intermediate, layers, heads, kvHeads } = DECODER;
  const kv = (hidden / heads) * kvHeads;
  return layers * (hidden * hidden * 2 + hidden * kv * 2 + hidden * intermediate * 3);
}

/** FLOPs of the decoder's run over a prompt of `tokens` (the LM head only on the last token, as generate() needs). */
export function prefillFlops(tokens: number): number {
  const { hidden, layers, vocab } = DECODER;
  const attention = layers * 2 * tokens * tokens * hidden; // causal: about half of the full square, scores + sum
  return 2 * (tokens * decoderLinearWeights() + attention / 2 + hidden * vocab);
}

/** Bytes of weights one decode step reads: every linear layer and the (tied) LM head, at the dtype's width. */
export function decodeWeightBytes(dtype: string): number {
  const bytesPerWeight = dtype === 'fp32' ? 4 : dtype === 'fp16' ? 2 : dtype.startsWith('q4') ? 0.5 + 2 / 32 : 1; // q4: 4 bits + a scale per 32
  const lmHeadBytes = dtype.startsWith('q4') ? 1 : bytesPerWeight; // the q4 export keeps the LM head at 8 bits
  return decoderLinearWeights() * bytesPerWeight + DECODER.hidden * DECODER.vocab * lmHeadBytes;
}

interface ReasonerRow {
  runner: string;
  'image ms': number | null;
  'prefill ms': number | null;
  'decode ms/token': number | null;
}

const PATCHES = 768; // the reasoner benchmark's 448 x 336 region
const PROMPT_TOKENS = 265;

const suite: BenchSuite = {
  name: 'cpu-limits',
  description: "this computer's memory bandwidth and matmul throughput, and each reasoner runner's share of them",
  async run({ args, log }) {
    const threads = Number(option(args, '--threads', '2'));
    const reasonerFile = path.resolve(root, option(args, '--reasoner', 'bench/results/reasoner-patho-r1-0.5b-random.json'));
    const loadBefore = loadavg()[0]!;
    log(`measuring limits with ${threads} threads (load average ${loadBefore.toFixed(1)})`);
    const limits = await measureLimits(threads);
    const loadAfter = loadavg()[0]!;
    const reasoner = JSON.parse(readFileSync(reasonerFile, 'utf8')) as { date: string; rows: ReasonerRow[]; notes?: string[] };
    const share = (value: number, limit: number): BenchCell => Number((value / limit).toFixed(3));
    const rows: Record<string, BenchCell>[] = [
      {
        runner: `limit (native, ${limits.threads} threads)`,
        'vision GOP/s': Number(limits.int8_gemm_gop_per_s.toFixed(1)),
        'prefill GOP/s': Number(limits.int8_gemm_gop_per_s.toFixed(1)),
        'decode weight GB/s': Number(limits.read_gb_per_s.toFixed(2)),
        'vision share': null,
        'prefill share': null,
        'decode share': null,
      },
    ];
    for (const row of reasoner.rows) {
      const dtype = /· (fp32|fp16|q4f16|q4|q8) ·/.exec(row.runner)?.[1];
      if (!dtype || !row['image ms'] || !row['prefill ms'] || !row['decode ms/token']) continue;
      const peak = dtype === 'fp32' ? limits.fp32_gemm_gflop_per_s : limits.int8_gemm_gop_per_s;
      const vision = visionFlops(PATCHES) / (row['image ms'] * 1e6);
      const prefill = prefillFlops(PROMPT_TOKENS) / (row['prefill ms'] * 1e6);
      const decode = decodeWeightBytes(dtype) / (row['decode ms/token'] * 1e6);
      rows.push({
        runner: row.runner,
        'vision GOP/s': Number(vision.toFixed(1)),
        'prefill GOP/s': Number(prefill.toFixed(1)),
        'decode weight GB/s': Number(decode.toFixed(2)),
        'vision share': share(vision, peak),
        'prefill share': share(prefill, peak),
        'decode share': share(decode, limits.read_gb_per_s),
      });
    }
    const overloaded = Math.max(loadBefore, loadAfter) > cpus().length;
    return {
      title: `Physical limits of this computer (${limits.threads} threads) and the share each reasoner runner reached (${path.basename(reasonerFile)}, run ${reasoner.date.slice(0, 10)})`,
      columns: ['runner', 'vision GOP/s', 'prefill GOP/s', 'decode weight GB/s', 'vision share', 'prefill share', 'decode share'],
      rows,
      notes: [
        `Work per answer from the model's shapes: vision tower ${(visionFlops(PATCHES) / 1e9).toFixed(0)} GFLOP on ${PATCHES} patches, prefill ${(prefillFlops(PROMPT_TOKENS) / 1e9).toFixed(0)} GFLOP on ${PROMPT_TOKENS} tokens, a decode step reads ${(decodeWeightBytes('q8') / 1e9).toFixed(2)} GB of q8 weights (${(decodeWeightBytes('q4') / 1e9).toFixed(2)} GB q4).`,
        `Limits: memory read ${limits.read_gb_per_s.toFixed(2)} GB/s (copy ${limits.copy_gb_per_s.toFixed(2)} GB/s read+write); int8 MatMulInteger ${limits.int8_gemm_gop_per_s.toFixed(1)} GOP/s at 768x1280x3420 (ONNX Runtime); fp32 GEMM ${limits.fp32_gemm_gflop_per_s.toFixed(1)} GFLOP/s (PyTorch 2048³); int8 one-row product ${limits.int8_gemv_weight_gb_per_s.toFixed(2)} GB/s of weights. Shares use int8 for q8/q4 rows and fp32 for fp32 rows; above 1 means the runner's kernels beat this simple measurement (fused or better-blocked kernels), not the hardware.`,
        `Load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after the limits were measured, on ${cpus().length} cores${overloaded ? ': ABOVE the core count, so the limits are understated and the shares overstated' : ''}; the reasoner rows come from their own run (see its notes for its load).`,
      ],
      details: { limits, reasoner: path.relative(root, reasonerFile) },
    };
  },
};

export default suite;
