/**
 * `npm run bench -- reasoner [--model tiny/patho-r1] [--tokens 64]`: Patho-R1 generation speed, side by side
 * in one run on the same model files and prompts (a first question about a region image, then a follow-up):
 *  - PathoLens in Chromium: the production build's worker (transformers.js on ONNX Runtime Web, WASM);
 *  - PathoLens's runtime in Node (the worker's code on onnxruntime-node);
 *  - plain transformers.js generate() in Node on the same files (the overhead baseline);
 *  - PyTorch generate() on the CPU from the exported checkpoint (.venv), where the folder holds one.
 * Time to first token (prompt + image encoding), decode tokens/s and peak memory of each process.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../../e2e/chromium';
import type { GenerationStats } from '../../src/inference/worker-protocol';
import { REPEATS, benchRegion, firstQuestionMessages, followUpMessages, medianConversation, writeRegionPng } from '../reasoner-cases';
import type { BenchCell, BenchContext, BenchReport, BenchSuite } from '../suite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function option(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
}

interface RunnerResult {
  stats: (Pick<GenerationStats, 'timeToFirstTokenMs' | 'tokensPerSecond'> & { newTokens: number })[];
  peakMiB: number | null;
  note?: string;
}

function runNode(mode: 'pathoLens' | 'plain', modelPath: string, tokens: number, dtype: string, repeats: number): Promise<RunnerResult> {
  const [group, name] = [path.join(root, 'models', path.dirname(modelPath)), path.basename(modelPath)];
  return new Promise((resolve, reject) => {
    execFile(
      'npx',
      ['tsx', 'bench/reasoner-node.ts', mode, group, name, String(tokens), dtype, String(repeats)],
      { cwd: root, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${mode} runner failed: ${stderr || error.message}`));
        const parsed = JSON.parse(stdout.trim().split('\n').at(-1)!) as { stats: RunnerResult['stats']; peakRssMiB: number };
        resolve({ stats: parsed.stats, peakMiB: parsed.peakRssMiB });
      },
    );
  });
}

async function runChromium(modelPath: string, tokens: number, dtype: string, repeats: number, log: (message: string) => void): Promise<RunnerResult> {
  const outDir = path.join(tmpdir(), 'patholens-bench-reasoner-dist');
  log('building the app');
  process.env.VITE_PATHOLENS_TEST_HOOK = 'true'; // the benchmark drives the app through its test hook
  await build({ root, logLevel: 'warn', publicDir: false, build: { outDir, emptyOutDir: true } });
  const server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { port: 4198, strictPort: false, host: '127.0.0.1' } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...QUIET_CHROMIUM_FLAGS, '--disable-features=WebGPU', '--enable-blink-features=ForceEagerMeasureMemory'],
  });
  try {
    const page = await browser.newPage();
    // tsx compiles with esbuild's keepNames, which wraps functions in __name(); the page has no such helper.
    await page.addInitScript('globalThis.__name = (target) => target;');
    await page.goto(server.resolvedUrls!.local[0]!);
    const region = benchRegion();
    const slash = modelPath.lastIndexOf('/');
    log('running PathoLens in Chromium (WASM worker)');
    const samples = await page.evaluate(
      async ({ modelRoot, modelName, firstMessages, followUpTemplate, tokens, region, repeats, dtype }) => {
        type Stats = { timeToFirstTokenMs: number | null; tokensPerSecond: number | null; newTokens: number };
        type Client = { load(options: object): Promise<void>; generate(request: object): Promise<{ stats: Stats; text: string }> };
        const hook = (window as unknown as { __patholens: { PathoR1Client: new () => Client } }).__patholens;
        const client = new hook.PathoR1Client();
        await client.load({ modelRoot, modelName, dtype, device: 'wasm', wasmThreads: Math.max(1, navigator.hardwareConcurrency - 1) });
        const image = () => ({ width: region.width, height: region.height, data: new Uint8ClampedArray(region.data) });
        const settings = (n: number) => ({ sample: false, temperature: 1, topP: 1, topK: 0, repetitionPenalty: 1, maxNewTokens: n, minNewTokens: n });
        await client.generate({ messages: firstMessages, images: [image()], settings: settings(2), conversation: { id: 'warm-up', turn: 0 } });
        const conversations: { first: Stats; followUp: Stats }[] = [];
        for (let repeat = 0; repeat < repeats; repeat++) {
          const id = `bench-${repeat}`;
          const first = await client.generate({ messages: firstMessages, images: [image()], settings: settings(tokens), conversation: { id, turn: 0 } });
          // The follow-up carries the model's own first reply, as the Ask panel sends it.
          const followUpMessages = JSON.parse(followUpTemplate.replace('"__REPLY__"', JSON.stringify(first.text)));
          const followUp = await client.generate({ messages: followUpMessages, images: [image()], settings: settings(tokens), conversation: { id, turn: 1 } });
          conversations.push({ first: first.stats, followUp: followUp.stats });
        }
        // Page + workers, WebAssembly memory included (needs cross-origin isolation, which the app has).
        const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
        const memoryBytes = measure ? (await measure.call(performance)).bytes : null;
        return { conversations, memoryBytes };
      },
      {
        modelRoot: `/models/${modelPath.slice(0, slash + 1)}`,
        modelName: modelPath.slice(slash + 1),
        firstMessages: firstQuestionMessages(),
        followUpTemplate: JSON.stringify(followUpMessages('__REPLY__')),
        tokens,
        region: { width: region.width, height: region.height, data: Array.from(region.data) },
        repeats,
        dtype,
      },
    );
    return { stats: medianConversation(samples.conversations), peakMiB: samples.memoryBytes === null ? null : samples.memoryBytes / 2 ** 20 };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

async function runTorch(modelPath: string, tokens: number, repeats: number): Promise<RunnerResult> {
  const checkpoint = path.join(root, 'models', modelPath);
  const python = path.join(root, '.venv', 'bin', 'python');
  if (!existsSync(path.join(checkpoint, 'model.safetensors')) && !existsSync(path.join(checkpoint, 'model.safetensors.index.json'))) {
    return { stats: [], peakMiB: null, note: 'no PyTorch checkpoint in the model folder' };
  }
  if (!existsSync(python)) return { stats: [], peakMiB: null, note: 'no .venv (see README)' };
  const png = path.join(mkdtempSync(path.join(tmpdir(), 'patholens-bench-')), 'region.png');
  await writeRegionPng(png);
  // PyTorch answers the follow-up after a fixed first reply of typical length, encoding the whole conversation.
  const scriptedReply = '<think> Crowded atypical glands infiltrate a desmoplastic stroma; nuclei are enlarged. </think><answer> Adenocarcinoma </answer>';
  const job = {
    checkpoint,
    threads: cpus().length,
    repeats,
    cases: [firstQuestionMessages(), followUpMessages(scriptedReply)].map((messages) => ({ messages, image_png: png, new_tokens: tokens })),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(root, 'bench/python/reasoner_torch.py')], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`PyTorch runner failed: ${stderr.slice(-2000)}`));
      const parsed = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        cases: { ttft_ms: number; tokens_per_s: number | null; new_tokens: number }[];
        peak_rss_mib: number;
      };
      resolve({
        stats: parsed.cases.map((entry) => ({ timeToFirstTokenMs: entry.ttft_ms, tokensPerSecond: entry.tokens_per_s, newTokens: entry.new_tokens })),
        peakMiB: parsed.peak_rss_mib,
      });
    });
    child.stdin.end(JSON.stringify(job));
  });
}

const suite: BenchSuite = {
  name: 'reasoner',
  description: 'Patho-R1 time to first token, tokens/s and memory: PathoLens (Chromium, Node) vs plain transformers.js vs PyTorch',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const modelPath = option(args, '--model', 'tiny/patho-r1');
    const tokens = Number(option(args, '--tokens', '64'));
    const dtype = option(args, '--dtype', 'fp32');
    const repeats = Number(option(args, '--repeats', String(REPEATS)));
    log(`model ${modelPath} (${dtype}), ${tokens} new tokens per answer`);
    const runners: [string, () => Promise<RunnerResult>][] = [
      ['PathoLens · Chromium WASM worker', () => runChromium(modelPath, tokens, dtype, repeats, log)],
      ['PathoLens runtime · Node (onnxruntime-node)', () => runNode('pathoLens', modelPath, tokens, dtype, repeats)],
      ['plain transformers.js generate() · Node', () => runNode('plain', modelPath, tokens, dtype, repeats)],
      ['PyTorch generate() · CPU', () => runTorch(modelPath, tokens, repeats)],
    ];
    const results = new Map<string, RunnerResult>();
    for (const [label, run] of runners) {
      log(label);
      try {
        results.set(label, await run());
      } catch (error) {
        results.set(label, { stats: [], peakMiB: null, note: error instanceof Error ? error.message.split('\n')[0]! : String(error) });
      }
    }
    const baseline = results.get('plain transformers.js generate() · Node')?.stats[0];
    const rows: Record<string, BenchCell>[] = [];
    for (const [label, result] of results) {
      const [first, followUp] = result.stats;
      rows.push({
        runner: label,
        'TTFT ms': first?.timeToFirstTokenMs ?? null,
        'tokens/s': first?.tokensPerSecond ?? null,
        'follow-up TTFT ms': followUp?.timeToFirstTokenMs ?? null,
        'follow-up / first TTFT': first?.timeToFirstTokenMs && followUp?.timeToFirstTokenMs ? followUp.timeToFirstTokenMs / first.timeToFirstTokenMs : null,
        'decode time vs plain tjs': baseline?.tokensPerSecond && first?.tokensPerSecond ? baseline.tokensPerSecond / first.tokensPerSecond : null,
        'memory MiB': result.peakMiB,
        note: result.note ?? '',
      });
    }
    return {
      resultName: modelPath === 'tiny/patho-r1' ? 'reasoner' : `reasoner-${path.basename(modelPath)}`,
      title: `Patho-R1 generation on ${modelPath} (${dtype}; PyTorch: the checkpoint in fp32): ${tokens} greedy tokens, first question with a 448x336 region, then a follow-up (${cpus().length} cores)`,
      columns: ['runner', 'TTFT ms', 'tokens/s', 'follow-up TTFT ms', 'follow-up / first TTFT', 'decode time vs plain tjs', 'memory MiB', 'note'],
      rows,
      notes: [
        '"decode time vs plain tjs" = plain transformers.js tokens/s divided by this runner\'s (1.00 = no overhead; the goal for PathoLens is < 1.05).',
        "The follow-up comes after the model's own first reply. PathoLens continues from the first turn's KV cache (no image or conversation re-encoding); plain transformers.js and PyTorch encode the whole conversation again (PyTorch after a fixed first reply). Goal: PathoLens follow-up TTFT < 30% of the first.",
        'memory MiB: peak RSS of the process for Node and PyTorch; for Chromium, performance.measureUserAgentSpecificMemory() of the page and its workers after the last answer (not a sampled peak).',
      ],
      details: Object.fromEntries(results),
    };
  },
};

export default suite;
