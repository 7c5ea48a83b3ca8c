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
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../../e2e/chromium';
import type { GenerationStats } from '../../src/inference/worker-protocol';
import { REPEATS, benchRegion, firstQuestionMessages, followUpMessages, medianConversation, medianStats, writeRegionPng } from '../reasoner-cases';
import type { BenchCell, BenchContext, BenchReport, BenchSuite } from '../suite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function option(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
}

interface RunnerResult {
  stats: (Pick<GenerationStats, 'timeToFirstTokenMs' | 'tokensPerSecond' | 'phases'> & { newTokens: number })[];
  peakMiB: number | null;
  note?: string;
  /** Chromium: the same first question asked after the image was read ahead (Ask's pre-read), and that read's time. */
  afterPreRead?: RunnerResult['stats'][number] | null;
  preReadMs?: number | null;
  /** The same after the image and the prompt before the question were read ahead (Ask's pre-read since #18's prefix). */
  afterPrefixPreRead?: RunnerResult['stats'][number] | null;
  prefixPreReadMs?: number | null;
}

/** A dtype and a thread count, written "q8@2" on the command line. */
interface Variant {
  dtype: string;
  threads: number;
}

function parseVariants(text: string): Variant[] {
  return text.split(',').map((part) => {
    const [dtype, threads] = part.split('@');
    return { dtype: dtype!, threads: Number(threads ?? cpus().length) };
  });
}

function runNode(mode: 'pathoLens' | 'plain', modelPath: string, tokens: number, dtype: string, repeats: number, threads?: number): Promise<RunnerResult> {
  const [group, name] = [path.join(root, 'models', path.dirname(modelPath)), path.basename(modelPath)];
  return new Promise((resolve, reject) => {
    execFile(
      'npx',
      ['tsx', 'bench/reasoner-node.ts', mode, group, name, String(tokens), dtype, String(repeats), ...(threads ? [String(threads)] : [])],
      { cwd: root, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${mode} runner failed: ${stderr || error.message}`));
        const parsed = JSON.parse(stdout.trim().split('\n').at(-1)!) as { stats: RunnerResult['stats']; peakRssMiB: number };
        resolve({ stats: parsed.stats, peakMiB: parsed.peakRssMiB });
      },
    );
  });
}

/** Each variant in one browser, one after another, each in a fresh worker (threads are fixed when ONNX Runtime starts). */
async function runChromium(modelPath: string, tokens: number, variants: Variant[], repeats: number, log: (message: string) => void): Promise<RunnerResult[]> {
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
    const results: RunnerResult[] = [];
    for (const { dtype, threads } of variants) {
      log(`running PathoLens in Chromium (WASM worker, ${dtype}, ${threads} threads)`);
      const samples = await page.evaluate(
        async ({ modelRoot, modelName, firstMessages, followUpTemplate, tokens, region, repeats, dtype, threads }) => {
          type Stats = { timeToFirstTokenMs: number | null; tokensPerSecond: number | null; newTokens: number };
          type Client = {
            load(options: object): Promise<{ wasmThreads: number | null }>;
            generate(request: object): Promise<{ stats: Stats; text: string }>;
            preRead(images: object[], prompt?: object | null): Promise<{ kind: string }>;
            terminate(): void;
          };
          const hook = (window as unknown as { __patholens: { PathoR1Client: new () => Client } }).__patholens;
          const client = new hook.PathoR1Client();
          const loadStartedAt = performance.now();
          const loaded = await client.load({ modelRoot, modelName, dtype, device: 'wasm', wasmThreads: threads });
          const loadMs = performance.now() - loadStartedAt;
          const image = () => ({ width: region.width, height: region.height, data: new Uint8ClampedArray(region.data) });
          const settings = (n: number) => ({ sample: false, temperature: 1, topP: 1, topK: 0, repetitionPenalty: 1, maxNewTokens: n, minNewTokens: n });
          await client.generate({ messages: firstMessages, images: [image()], settings: settings(2), conversation: { id: 'warm-up', turn: 0 } });
          const conversations: { first: Stats; followUp: Stats }[] = [];
          const preReads: { stats: Stats; preReadMs: number }[] = [];
          const prefixPreReads: { stats: Stats; preReadMs: number }[] = [];
          const coldConversation = async (repeat: number) => {
            const id = `bench-${repeat}`;
            const first = await client.generate({ messages: firstMessages, images: [image()], settings: settings(tokens), conversation: { id, turn: 0 } });
            // The follow-up carries the model's own first reply, as the Ask panel sends it.
            const followUpMessages = JSON.parse(followUpTemplate.replace('"__REPLY__"', JSON.stringify(first.text)));
            const followUp = await client.generate({
              messages: followUpMessages,
              images: [image()],
              settings: settings(tokens),
              conversation: { id, turn: 1 },
            });
            conversations.push({ first: first.stats, followUp: followUp.stats });
          };
          // The same first question after Ask read the image ahead (while the user typed). One pixel differs per
          // repeat, so no reading (cached by pixels) serves another question, cold or not.
          // With the prompt before the question too (prompt {}), or the image only (null, the pre-read before #18's prefix).
          const preReadThen = (prompt: object | null, into: typeof preReads, pixelShift: number) => async (repeat: number) => {
            const ahead = () => {
              const copy = image();
              copy.data[0] = (copy.data[0]! + pixelShift + repeat) % 256;
              return copy;
            };
            const readStartedAt = performance.now();
            const outcome = await client.preRead([ahead()], prompt);
            const preReadMs = performance.now() - readStartedAt;
            if (outcome.kind !== 'encoded') throw new Error(`pre-read ended ${outcome.kind}`);
            const answer = await client.generate({
              messages: firstMessages,
              images: [ahead()],
              settings: settings(tokens),
              conversation: { id: `pre-read-${pixelShift}-${repeat}`, turn: 0 },
            });
            into.push({ stats: answer.stats, preReadMs });
          };
          const afterPreRead = preReadThen(null, preReads, 1);
          const afterPrefixPreRead = preReadThen({}, prefixPreReads, 101);
          // Interleaved, the order rotated every repeat, so a change in the machine's load hits all alike.
          const runs = [coldConversation, afterPreRead, afterPrefixPreRead];
          for (let repeat = 0; repeat < repeats; repeat++) {
            for (let index = 0; index < runs.length; index++) await runs[(index + repeat) % runs.length]!(repeat);
          }
          // Page + workers, WebAssembly memory included (needs cross-origin isolation, which the app has).
          const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
          const memoryBytes = measure ? (await measure.call(performance)).bytes : null;
          client.terminate();
          return { conversations, preReads, prefixPreReads, memoryBytes, threadsInUse: loaded.wasmThreads, loadMs };
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
          threads,
        },
      );
      const medianMs = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? null;
      results.push({
        stats: medianConversation(samples.conversations),
        afterPreRead: medianStats(samples.preReads.map((sample) => sample.stats)),
        preReadMs: medianMs(samples.preReads.map((sample) => sample.preReadMs)),
        afterPrefixPreRead: medianStats(samples.prefixPreReads.map((sample) => sample.stats)),
        prefixPreReadMs: medianMs(samples.prefixPreReads.map((sample) => sample.preReadMs)),
        peakMiB: samples.memoryBytes === null ? null : samples.memoryBytes / 2 ** 20,
        note: `ONNX Runtime started ${samples.threadsInUse} thread(s); load ${(samples.loadMs / 1000).toFixed(1)} s`,
      });
    }
    return results;
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
    // "--chromium q4@1,q8@2": PathoLens in Chromium once per dtype@threads (default: --dtype on every core);
    // "--node q4@2,q8@2": PathoLens's runtime on onnxruntime-node likewise; "--runners chromium,node,plain,torch".
    const chromiumVariants = parseVariants(option(args, '--chromium', `${dtype}@${cpus().length}`));
    const nodeVariants = parseVariants(option(args, '--node', `${dtype}@${cpus().length}`));
    const wanted = new Set(option(args, '--runners', 'chromium,node,plain,torch').split(','));
    log(`model ${modelPath} (${dtype}), ${tokens} new tokens per answer`);
    const loadBefore = loadavg()[0]!;
    const results = new Map<string, RunnerResult>();
    const settle = async (label: string, run: () => Promise<RunnerResult>) => {
      log(label);
      try {
        results.set(label, await run());
      } catch (error) {
        results.set(label, { stats: [], peakMiB: null, note: error instanceof Error ? error.message.split('\n')[0]! : String(error) });
      }
    };
    if (wanted.has('chromium')) {
      const labels = chromiumVariants.map((variant) => `PathoLens · Chromium WASM worker · ${variant.dtype} · ${variant.threads} threads`);
      try {
        const chromiumResults = await runChromium(modelPath, tokens, chromiumVariants, repeats, log);
        labels.forEach((label, index) => results.set(label, chromiumResults[index]!));
      } catch (error) {
        for (const label of labels)
          results.set(label, { stats: [], peakMiB: null, note: error instanceof Error ? error.message.split('\n')[0]! : String(error) });
      }
    }
    if (wanted.has('node')) {
      for (const variant of nodeVariants) {
        await settle(`PathoLens runtime · Node (onnxruntime-node) · ${variant.dtype} · ${variant.threads} threads`, () =>
          runNode('pathoLens', modelPath, tokens, variant.dtype, repeats, variant.threads),
        );
      }
    }
    if (wanted.has('plain')) await settle('plain transformers.js generate() · Node', () => runNode('plain', modelPath, tokens, dtype, repeats));
    if (wanted.has('torch')) await settle('PyTorch generate() · CPU', () => runTorch(modelPath, tokens, repeats));
    const loadAfter = loadavg()[0]!;
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
        'image ms': first?.phases?.imageMs ?? null,
        'prefill ms': first?.phases?.prefillMs ?? null,
        'decode ms/token': first?.phases && first.phases.decodeRuns > 0 ? first.phases.decodeMs / first.phases.decodeRuns : null,
        'TTFT after pre-read ms': result.afterPreRead?.timeToFirstTokenMs ?? null,
        'pre-read ms': result.preReadMs ?? null,
        'TTFT after pre-read + prefix ms': result.afterPrefixPreRead?.timeToFirstTokenMs ?? null,
        'pre-read + prefix ms': result.prefixPreReadMs ?? null,
        note: result.note ?? '',
      });
    }
    return {
      resultName: modelPath === 'tiny/patho-r1' ? 'reasoner' : `reasoner-${path.basename(modelPath)}`,
      title: `Patho-R1 generation on ${modelPath} (${dtype}; PyTorch: the checkpoint in fp32): ${tokens} greedy tokens, first question with a 448x336 region, then a follow-up (${cpus().length} cores)`,
      columns: [
        'runner',
        'TTFT ms',
        'tokens/s',
        'follow-up TTFT ms',
        'follow-up / first TTFT',
        'decode time vs plain tjs',
        'memory MiB',
        'image ms',
        'prefill ms',
        'decode ms/token',
        'TTFT after pre-read ms',
        'pre-read ms',
        'TTFT after pre-read + prefix ms',
        'pre-read + prefix ms',
        'note',
      ],
      rows,
      notes: [
        `Load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${cpus().length} cores${Math.max(loadBefore, loadAfter) > cpus().length ? ': above the core count, so compare rows of this run with each other, not with other runs' : ''}.`,
        '"decode time vs plain tjs" = plain transformers.js tokens/s divided by this runner\'s (1.00 = no overhead; the goal for PathoLens is < 1.05).',
        "The follow-up comes after the model's own first reply. PathoLens continues from the first turn's KV cache (no image or conversation re-encoding); plain transformers.js and PyTorch encode the whole conversation again (PyTorch after a fixed first reply). Goal: PathoLens follow-up TTFT < 30% of the first.",
        'memory MiB: peak RSS of the process for Node and PyTorch; for Chromium, performance.measureUserAgentSpecificMemory() of the page and its workers after the last answer (not a sampled peak).',
        "TTFT after pre-read ms (Chromium): the same first question (one pixel changed) asked after Ask read the region's image ahead, as it does while a question is typed (pre-read ms: that reading); TTFT ms stays the cold figure, the issue's goal.",
        'TTFT after pre-read + prefix ms (Chromium): the same after the pre-read also prefilled the prompt before the question (system turn + image tokens) into a KV cache, so the answer feeds only the question (pre-read + prefix ms: that reading). The three Chromium questions are interleaved, the order rotated every repeat.',
        "image ms / prefill ms / decode ms/token: the first answer's time in the vision tower, in the decoder's run over the whole prompt, and per later decoder run (PathoLens's runtime times its own session runs).",
      ],
      details: Object.fromEntries(results),
    };
  },
};

export default suite;
