/**
 * `npm run bench -- remote [--tokens 48] [--pairs 12]`: PathoLens's OpenAI-compatible client against the official
 * OpenAI Python client on the same streamed requests to the same local server (`transformers serve`, tiny Patho-R1,
 * CPU, 127.0.0.1): time to first token, tokens/s and answer time as each client sees them, paired and alternating
 * request by request (ABBA order) so the machine's drift hits both alike. The region is 448x336 px of the demo
 * slide read by OpenSlide. PathoLens starts from the region's pixels and encodes the PNG data URL on every request,
 * as the page does (it reads the region afresh for each question); the Python client is handed the finished body
 * (the same bytes, checked). The client's overhead is the paired ratio of answer times minus one (goal: under 5% of
 * the server's own time). Then the evaluation harness's throughput over the tiny MCQ set with --remote at
 * concurrency 1, 4 and 8.
 *
 * The PathoLens client runs in Node here: it is the same module the page uses (fetch + TextDecoderStream +
 * eventsource-parser, PNG deflated by CompressionStream), without a browser around it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { encode as fastPngEncode } from 'fast-png';
import sharp from 'sharp';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { createOpenAiCompatibleEngine } from '../../src/inference/remote/openai-engine';
import { buildChatRequest } from '../../src/inference/remote/openai-request';
import { regionDataUrl, rgbaToPngDataUrl } from '../../src/inference/remote/png-data-url';
import type { RgbaImage } from '../../src/slide/slide-source';
import { startTransformersServe } from '../../tests/servers/transformers-serve';
import { firstQuestionMessages } from '../reasoner-cases';
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

/** The OpenAI Python client as one long-lived process: one request body per line in, one sample per line out. */
function startPython(baseUrl: string) {
  const child = spawn(path.join(root, '.venv/bin/python'), [path.join(root, 'bench/remote/openai_client.py'), `${baseUrl}/v1`], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async request(bodyLine: string): Promise<Sample> {
      child.stdin.write(`${bodyLine}\n`);
      const next = await lines.next();
      if (next.done) throw new Error(`OpenAI Python client ended: ${stderr}`);
      return JSON.parse(next.value) as Sample;
    },
    stop() {
      child.stdin.end();
      child.kill();
    },
  };
}

/** 448x336 px of the demo slide at full resolution, read by OpenSlide (a textured H&E-like region, ~200 kB as PNG). */
async function demoRegion(at: number): Promise<RgbaImage> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'patholens-bench-region-')), 'region.png');
  execFileSync(path.join(root, '.venv/bin/python'), [
    '-c',
    'import sys, openslide; s = openslide.OpenSlide(sys.argv[1]); w, h = s.dimensions; f = float(sys.argv[3]); s.read_region((int(w * f), int(h * f)), 0, (448, 336)).save(sys.argv[2])',
    path.join(root, 'public/demo/demo-slide.svs'),
    file,
    String(at),
  ]);
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  rmSync(path.dirname(file), { recursive: true, force: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

async function medianMs(runs: number, work: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return median(times);
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
    const pairs = Number(option(args, '--pairs', '12'));
    const loadBefore = loadavg()[0]!;
    // Two regions, alternated: every PathoLens request is a first question about its region (the client keeps the
    // last region's encoding for follow-ups, which would otherwise make every request after the first free).
    const regions = [await demoRegion(1 / 3), await demoRegion(1 / 2)];
    const region = regions[0]!;
    log('starting transformers serve (tiny Patho-R1, CPU)');
    const server = await startTransformersServe();
    const python = startPython(server.baseUrl);
    try {
      const requests = regions.map((image) => ({
        messages: firstQuestionMessages(),
        images: [image],
        settings: { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: tokens },
      }));
      const bodyLines = await Promise.all(requests.map(async (request) => JSON.stringify(await buildChatRequest(server.model, request, true))));
      const pngKb = Math.round(bodyLines[0]!.length / 1024);
      const engine = createOpenAiCompatibleEngine({ baseUrl: server.baseUrl, model: server.model });
      const runOurs = async (which: number): Promise<Sample> => {
        const request = { ...requests[which]!, images: [{ ...regions[which]!, data: regions[which]!.data.slice() }] }; // read afresh, as the page does
        const started = performance.now();
        const outcome = await engine.generate(request);
        return { ttftMs: outcome.stats.timeToFirstTokenMs, tokensPerSecond: outcome.stats.tokensPerSecond, totalMs: performance.now() - started };
      };
      // Warm-up: the server's first request loads and compiles; each client opens its connection.
      await runOurs(0);
      await python.request(bodyLines[0]!);
      const ours: Sample[] = [];
      const theirs: Sample[] = [];
      const loads: number[] = [];
      for (let pair = 0; pair < pairs; pair++) {
        const which = (pair + 1) % 2; // the warm-up asked about region 0: start with the other
        if (pair % 2 === 0) {
          ours.push(await runOurs(which));
          theirs.push(await python.request(bodyLines[which]!));
        } else {
          theirs.push(await python.request(bodyLines[which]!));
          ours.push(await runOurs(which));
        }
        loads.push(loadavg()[0]!);
      }
      log(`${pairs} pairs done`);
      const summary = (samples: Sample[]) => ({
        ttftMs: median(samples.map((sample) => sample.ttftMs ?? Number.NaN)),
        tokensPerSecond: median(samples.map((sample) => sample.tokensPerSecond ?? Number.NaN)),
        totalMs: median(samples.map((sample) => sample.totalMs)),
      });
      const a = summary(ours);
      const b = summary(theirs);
      const pairedRatio = median(ours.map((sample, index) => sample.totalMs / theirs[index]!.totalMs));
      const encodeMs = await medianMs(9, () => rgbaToPngDataUrl(region));
      await regionDataUrl(region);
      const readAgain = Array.from({ length: 9 }, () => ({ ...region, data: region.data.slice() }));
      const followUpMs = await medianMs(9, () => regionDataUrl(readAgain.pop()!));
      const rgba = new Uint8Array(region.data.buffer, region.data.byteOffset, region.data.byteLength);
      const fastPngMs = await medianMs(9, () =>
        Buffer.from(fastPngEncode({ width: region.width, height: region.height, data: rgba, channels: 4, depth: 8 })).toString('base64'),
      );
      const jsBase64 = (bytes: Uint8Array) => {
        let binary = '';
        for (let start = 0; start < bytes.length; start += 0x8000) binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
        return btoa(binary);
      };
      const beforeMs = await medianMs(9, () => jsBase64(fastPngEncode({ width: region.width, height: region.height, data: rgba, channels: 4, depth: 8 })));
      const rows: BenchReport['rows'] = [
        {
          runner: 'PathoLens client (Node, same module as the page), from the pixels',
          'time to first token ms': Math.round(a.ttftMs),
          'tokens/s': +a.tokensPerSecond.toFixed(1),
          'answer ms': Math.round(a.totalMs),
          'vs OpenAI Python': `${pairedRatio.toFixed(3)}x time (paired median)`,
        },
        {
          runner: 'OpenAI Python client, handed the encoded body',
          'time to first token ms': Math.round(b.ttftMs),
          'tokens/s': +b.tokensPerSecond.toFixed(1),
          'answer ms': Math.round(b.totalMs),
          'vs OpenAI Python': '1x',
        },
        {
          runner: `of which: region as PNG data URL (CompressionStream, request ${pngKb} kB)`,
          'time to first token ms': null,
          'tokens/s': null,
          'answer ms': +encodeMs.toFixed(1),
          'vs OpenAI Python': `${((encodeMs / b.totalMs) * 100).toFixed(1)}% of its time`,
        },
        {
          runner: 'a follow-up on the same region: pixels compared, encoding reused',
          'time to first token ms': null,
          'tokens/s': null,
          'answer ms': +followUpMs.toFixed(1),
          'vs OpenAI Python': `${((followUpMs / b.totalMs) * 100).toFixed(1)}% of its time`,
        },
        {
          runner: 'for comparison: fast-png + Buffer base64 / + btoa (earlier)',
          'time to first token ms': null,
          'tokens/s': null,
          'answer ms': `${fastPngMs.toFixed(1)} / ${beforeMs.toFixed(1)}`,
          'vs OpenAI Python': `${((beforeMs / b.totalMs) * 100).toFixed(1)}% of its time (btoa)`,
        },
      ];
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
        title: `Remote server (transformers serve, tiny Patho-R1, CPU), ${tokens} greedy tokens, 448x336 demo-slide region, ${pairs} alternating pairs`,
        columns: ['runner', 'time to first token ms', 'tokens/s', 'answer ms', 'vs OpenAI Python'],
        rows,
        notes: [
          `load average (1 min) ${loadBefore.toFixed(1)} before, ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} during the pairs, ${loadAfter.toFixed(1)} after, on 2 cores (${Math.max(...loads) > 2 ? 'above' : 'within'} the core count)`,
          'client overhead = median over pairs of PathoLens answer time / OpenAI Python answer time, minus 1; PathoLens encodes the region on each request (row "of which"), the Python client gets the same body bytes already encoded; the harness rows include tsx start-up per run',
          'transformers serve without --continuous-batching answers one request at a time, so concurrency adds little there; vLLM/SGLang batch',
        ],
        details: { ours, python: theirs, loads, pairedRatio },
      };
    } finally {
      python.stop();
      await server.stop();
    }
  },
};

export default suite;
