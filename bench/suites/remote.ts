/**
 * `npm run bench -- remote [--tokens 48] [--repeats 5]`: PathoLens's OpenAI-compatible client against the official
 * OpenAI Python client on the same streamed requests to the same local server (`transformers serve`, tiny Patho-R1,
 * CPU, 127.0.0.1): time to first token and tokens/s as each client sees them, alternating batches. The client's
 * overhead is the gap between the two (goal: under 5% of the server's own time). Then the evaluation harness's
 * throughput over the tiny MCQ set with --remote at concurrency 1, 4 and 8.
 *
 * The PathoLens client runs in Node here: it is the same module the page uses (fetch + TextDecoderStream +
 * eventsource-parser, PNG by fast-png), without a browser around it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { createOpenAiCompatibleEngine } from '../../src/inference/remote/openai-engine';
import { buildChatRequest } from '../../src/inference/remote/openai-request';
import { rgbaToPngDataUrl } from '../../src/inference/remote/png-data-url';
import { startTransformersServe } from '../../tests/servers/transformers-serve';
import { benchRegion, firstQuestionMessages } from '../reasoner-cases';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MCQ_SET = 'tests/fixtures/eval/vlmevalkit/PathMMU_TINY.tsv';

function option(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Sample {
  ttftMs: number | null;
  tokensPerSecond: number | null;
  totalMs: number;
}

function runPython(baseUrl: string, body: unknown, repeats: number): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      path.join(root, '.venv/bin/python'),
      [path.join(root, 'bench/remote/openai_client.py'), `${baseUrl}/v1`, String(repeats)],
      { maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`OpenAI Python client failed: ${stderr || error.message}`));
        resolve(
          stdout
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Sample),
        );
      },
    );
    child.stdin?.end(JSON.stringify([body]));
  });
}

async function harnessItemsPerSecond(baseUrl: string, model: string, concurrency: number, tokens: number): Promise<{ items: number; seconds: number }> {
  const out = mkdtempSync(path.join(tmpdir(), 'patholens-bench-remote-'));
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const args = [
        'tsx',
        'eval/cli.ts',
        'mcq',
        '--remote',
        baseUrl,
        '--model',
        model,
        '--data',
        MCQ_SET,
        '--out',
        out,
        '--concurrency',
        String(concurrency),
        '--max-new-tokens',
        String(tokens),
        '--no-progress',
      ];
      const child = spawn('npx', args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`eval --remote exited ${code}: ${stderr}`))));
    });
    const seconds = (performance.now() - started) / 1000;
    const records = readFileSync(path.join(out, 'records.jsonl'), 'utf8').trim().split('\n').length;
    return { items: records, seconds };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const suite: BenchSuite = {
  name: 'remote',
  description: 'OpenAI-compatible server: PathoLens client vs the OpenAI Python client (TTFT, tokens/s), eval harness --remote throughput',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const tokens = Number(option(args, '--tokens', '48'));
    const repeats = Number(option(args, '--repeats', '5'));
    const loadBefore = loadavg()[0]!;
    log('starting transformers serve (tiny Patho-R1, CPU)');
    const server = await startTransformersServe();
    try {
      const request = { messages: firstQuestionMessages(), images: [benchRegion()], settings: { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: tokens } };
      const body = buildChatRequest(server.model, request, true);
      const engine = createOpenAiCompatibleEngine({ baseUrl: server.baseUrl, model: server.model });
      const ours: Sample[] = [];
      const python: Sample[] = [];
      await engine.generate(request); // warm-up: the server's first request loads and compiles
      for (let round = 0; round < 2; round++) {
        log(`round ${round + 1}: PathoLens client ×${repeats}`);
        for (let index = 0; index < repeats; index++) {
          const started = performance.now();
          const outcome = await engine.generate(request);
          ours.push({ ttftMs: outcome.stats.timeToFirstTokenMs, tokensPerSecond: outcome.stats.tokensPerSecond, totalMs: performance.now() - started });
        }
        log(`round ${round + 1}: OpenAI Python client ×${repeats}`);
        python.push(...(await runPython(server.baseUrl, body, repeats)));
      }
      const summary = (samples: Sample[]) => ({
        ttftMs: median(samples.map((sample) => sample.ttftMs ?? Number.NaN)),
        tokensPerSecond: median(samples.map((sample) => sample.tokensPerSecond ?? Number.NaN)),
        totalMs: median(samples.map((sample) => sample.totalMs)),
      });
      const a = summary(ours);
      const b = summary(python);
      const rows: BenchReport['rows'] = [
        {
          runner: 'PathoLens client (Node, same module as the page)',
          'time to first token ms': Math.round(a.ttftMs),
          'tokens/s': +a.tokensPerSecond.toFixed(1),
          'answer ms': Math.round(a.totalMs),
          'vs OpenAI Python': `${(a.totalMs / b.totalMs).toFixed(3)}x time`,
        },
        {
          runner: 'OpenAI Python client',
          'time to first token ms': Math.round(b.ttftMs),
          'tokens/s': +b.tokensPerSecond.toFixed(1),
          'answer ms': Math.round(b.totalMs),
          'vs OpenAI Python': '1x',
        },
      ];
      const encodeMs = median(
        Array.from({ length: 9 }, () => {
          const started = performance.now();
          rgbaToPngDataUrl(request.images[0]!);
          return performance.now() - started;
        }),
      );
      rows.push({
        runner: 'of which: the region as a PNG data URL (fast-png, per request)',
        'time to first token ms': null,
        'tokens/s': null,
        'answer ms': +encodeMs.toFixed(1),
        'vs OpenAI Python': `${((encodeMs / b.totalMs) * 100).toFixed(1)}% of its time`,
      });
      for (const concurrency of [1, 4, 8]) {
        log(`eval harness --remote at concurrency ${concurrency}`);
        const { items, seconds } = await harnessItemsPerSecond(server.baseUrl, server.model, concurrency, tokens);
        rows.push({
          runner: `eval harness --remote, concurrency ${concurrency} (${items} MCQs)`,
          'time to first token ms': null,
          'tokens/s': null,
          'answer ms': Math.round((seconds * 1000) / items),
          'vs OpenAI Python': `${(items / seconds).toFixed(2)} items/s`,
        });
      }
      const loadAfter = loadavg()[0]!;
      return {
        title: `Remote server (transformers serve, tiny Patho-R1, CPU), ${tokens} greedy tokens, 448x336 region, median of ${2 * repeats}`,
        columns: ['runner', 'time to first token ms', 'tokens/s', 'answer ms', 'vs OpenAI Python'],
        rows,
        notes: [
          `load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (${loadAfter > 2 ? 'above' : 'within'} the core count: timings are noisy)`,
          'client overhead = PathoLens answer time / OpenAI Python answer time - 1; the Python client is handed the request with the PNG already encoded, PathoLens encodes it on each request (row "of which"); the harness rows include tsx start-up per run',
          'transformers serve without --continuous-batching answers one request at a time, so concurrency adds little there; vLLM/SGLang batch',
        ],
        details: { ours, python },
      };
    } finally {
      await server.stop();
    }
  },
};

export default suite;
