/**
 * The harness against a real OpenAI-compatible server (`transformers serve` with the tiny Patho-R1, the remote
 * work's fixture): the tiny MCQ sets run through the bounded pool at concurrency 4 give the same records and
 * summary as one at a time, and the CLI's --remote runs the same way.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval, RECORDS_FILE } from '../../eval/harness';
import { createOpenAiCompatibleEngine } from '../../src/inference/remote/openai-engine';
import { startTransformersServe, type RunningServer } from '../servers/transformers-serve';

const ROOT = path.resolve(import.meta.dirname, '../..');
const fixture = (...parts: string[]) => path.join(ROOT, 'tests/fixtures/eval', ...parts);
const byOrder = (out: string) =>
  readFileSync(path.join(out, RECORDS_FILE), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { order: number })
    .sort((a, b) => a.order - b.order);

describe('eval on transformers serve (tiny Patho-R1, CPU)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTransformersServe();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('mcq at concurrency 4 gives the records and summary of a serial run; the missing image is still an error', async () => {
    const engine = createOpenAiCompatibleEngine({ baseUrl: server.baseUrl, model: server.model });
    const base = { task: 'mcq' as const, data: fixture('pathmmu', 'data.json'), model: `${server.baseUrl} ${server.model}`, maxNewTokens: 8 };
    const serialOut = mkdtempSync(path.join(tmpdir(), 'eval-remote-1-'));
    const pooledOut = mkdtempSync(path.join(tmpdir(), 'eval-remote-4-'));
    const serial = await runEval({ ...base, out: serialOut, concurrency: 1 }, { reasoner: engine });
    const pooled = await runEval({ ...base, out: pooledOut, concurrency: 4 }, { reasoner: engine });
    expect(serial).toMatchObject({ items: 6, evaluated: 5, errors: 1 });
    expect(pooled).toEqual(serial);
    expect(byOrder(pooledOut)).toEqual(byOrder(serialOut));
  }, 180_000);

  it('npm run eval -- mcq --remote URL --model NAME --concurrency 4 on the VLMEvalKit TSV', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'eval-remote-cli-'));
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'eval/cli.ts'),
        'mcq',
        '--remote',
        server.baseUrl,
        '--model',
        server.model,
        '--data',
        fixture('vlmevalkit', 'PathMMU_TINY.tsv'),
        '--out',
        out,
        '--concurrency',
        '4',
        '--max-new-tokens',
        '8',
        '--no-progress',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.stderr.split('\n').filter((line) => line && !/items\/s$/.test(line))).toEqual([]);
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ items: 4, evaluated: 3, errors: 1 });
  }, 180_000);
});
