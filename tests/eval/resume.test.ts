/**
 * Resumability of `npm run eval`: the CLI is killed with SIGKILL at random points (after a random number of
 * records, plus a random few milliseconds, so some kills land mid-item or mid-write), then run again until it
 * finishes. The records and summary must equal those of a run never interrupted: no item lost, none twice.
 * Also: bad command lines get one sentence on stderr and exit 2.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/ui/seeded-random';
import { readTsvRows } from '../../eval/readers/vlmevalkit-tsv';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'eval', 'cli.ts');
// node with tsx's loader in one process: the tsx command runs a child node, which a SIGKILL to tsx would orphan.
const NODE = process.execPath;
const TSX_LOADER = ['--import', 'tsx'];
const ITEMS = 24;

/** A VLMEvalKit TSV of ITEMS questions, built from the fixture's rows (its images, new questions). */
async function writeDataset(folder: string): Promise<string> {
  const rows = (await readTsvRows(path.join(ROOT, 'tests/fixtures/eval/vlmevalkit/PathMMU_TINY.tsv'))).slice(0, 2);
  const header = ['index', 'question', 'A', 'B', 'C', 'answer', 'category', 'image'];
  const lines = [header.join('\t')];
  for (let index = 0; index < ITEMS; index++) {
    const row = rows[index % 2]!;
    lines.push([index, `Question ${index}: which tissue?`, row.A, row.B, row.C, 'ABC'[index % 3], index % 2 ? 'PubMed' : 'Atlas', row.image].join('\t'));
  }
  const file = path.join(folder, 'mcq.tsv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The command line of one task: mcq on the tiny Patho-R1 (6 new tokens), retrieval on the tiny PathoCLIP. */
type Task = 'mcq' | 'retrieval';
const args = (task: Task, data: string, out: string) => [
  ...TSX_LOADER,
  CLI,
  task,
  '--model',
  path.join(ROOT, task === 'mcq' ? 'models/tiny/patho-r1' : 'models/tiny/pathoclip'),
  '--data',
  data,
  '--out',
  out,
  ...(task === 'mcq' ? ['--max-new-tokens', '6'] : []),
  '--no-progress',
];

/** An image/caption TSV of PAIRS pairs over the caption fixture's three images, each with its own caption. */
const PAIRS = 60;
function writePairs(folder: string): string {
  const lines = ['image\tcaption'];
  for (let index = 0; index < PAIRS; index++) {
    lines.push(
      `${path.join(ROOT, 'tests/fixtures/eval/caption-tsv/images', `pair_${index % 3}.png`)}\tSlide ${index}: ${['adipose tissue', 'lymphocytes', 'tumour epithelium'][index % 3]}.`,
    );
  }
  const file = path.join(folder, 'pairs.tsv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function recordLines(out: string): string[] {
  const file = path.join(out, 'records.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** Runs the CLI and kills it once the journal holds `afterRecords` records and `extraMs` more have passed. */
function runAndKill(task: Task, data: string, out: string, afterRecords: number, extraMs: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, args(task, data, out), { cwd: ROOT, stdio: 'ignore' });
    let killing = false;
    const poll = setInterval(() => {
      if (killing) return;
      const text = existsSync(path.join(out, 'records.jsonl')) ? readFileSync(path.join(out, 'records.jsonl'), 'utf8') : '';
      if (text.split('\n').length - 1 >= afterRecords) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    }, 3);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`The eval CLI exited with ${code}.`));
    });
  });
}

/**
 * Kills the CLI at random points until a run finishes (at most 4 kills, then a last run), and checks the records and
 * summary against a run never interrupted.
 */
async function killAndResume(task: Task, data: string, folder: string, items: number, maxStep: number): Promise<void> {
  const reference = path.join(folder, 'reference');
  const first = spawnSync(NODE, args(task, data, reference), { cwd: ROOT, encoding: 'utf8' });
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  writeFileSync(path.join(reference, 'stdout.txt'), first.stdout);

  const resumed = path.join(folder, 'resumed');
  const random = seededRandom(Date.now() & 0xffff);
  let kills = 0;
  let outcome: 'killed' | 'finished' = 'killed';
  while (outcome === 'killed' && kills < 4) {
    const done = recordLines(resumed).length;
    const target = Math.min(items - 1, done + 1 + Math.floor(random() * maxStep));
    outcome = await runAndKill(task, data, resumed, target, Math.floor(random() * 40));
    if (outcome === 'killed') kills++;
  }
  if (outcome === 'killed') expect(spawnSync(NODE, args(task, data, resumed), { cwd: ROOT }).status).toBe(0);
  expect(kills).toBeGreaterThan(0);

  const lines = recordLines(resumed);
  expect(lines).toHaveLength(items);
  const byOrder = (text: string[]) => text.map((line) => JSON.parse(line) as { order: number }).sort((a, b) => a.order - b.order);
  expect(byOrder(lines)).toEqual(byOrder(recordLines(reference)));
  expect(readFileSync(path.join(resumed, 'summary.json'), 'utf8')).toBe(readFileSync(path.join(reference, 'summary.json'), 'utf8'));
}

describe('npm run eval, killed and resumed', () => {
  it('mcq: SIGKILL at random points, then rerun: the identical records and summary, each item once', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'eval-resume-'));
    await killAndResume('mcq', await writeDataset(folder), folder, ITEMS, 6);
    // The finished run's last lines: each metric with its interval and n, then the unparsed/ambiguous counts.
    const stdout = readFileSync(path.join(folder, 'reference', 'stdout.txt'), 'utf8');
    expect(stdout).toMatch(/^ {2}accuracy: \d+\.\d% \(95% CI \d+\.\d–\d+\.\d%, n = 24\)$/m);
    expect(stdout).toMatch(/^ {2}unparsed: \d+\n {2}ambiguous: \d+$/m);
  }, 120_000);

  it('retrieval: the same, where the summary is built from every stored embedding at the end', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'eval-resume-retrieval-'));
    await killAndResume('retrieval', writePairs(folder), folder, PAIRS, 15);
  }, 120_000);
});

describe('npm run eval, bad input', () => {
  const run = (...argv: string[]) => spawnSync(NODE, [...TSX_LOADER, CLI, ...argv], { cwd: ROOT, encoding: 'utf8' });

  it('an unknown task, a missing file, a local model with --concurrency: one sentence on stderr, exit 2', () => {
    const unknown = run('accuracy', '--model', 'x', '--data', 'y', '--out', 'z');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('Name a task first (mcq, vqa-closed, vqa-open, zero-shot, retrieval), not "accuracy".');
    const misspelt = run('mcq', '--modle', 'x');
    expect(misspelt.status).toBe(2);
    expect(misspelt.stderr.split('\n')[0]).toMatch(/^Unknown option '--modle'/);
    const out = mkdtempSync(path.join(tmpdir(), 'eval-bad-'));
    const missing = run('retrieval', '--model', 'models/tiny/pathoclip', '--data', '/nonexistent/captions.json', '--out', out);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('/nonexistent/captions.json does not exist: give --data the path of the downloaded benchmark.\n');
    const pooled = run('mcq', '--model', 'models/tiny/patho-r1', '--data', 'd.tsv', '--out', out, '--concurrency', '4');
    expect(pooled.status).toBe(2);
    expect(pooled.stderr.split('\n')[0]).toMatch(/^--concurrency above 1 needs --remote/);
  }, 60_000);

  it('resuming into an out folder of another run is refused', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'eval-other-'));
    const data = path.join(ROOT, 'tests/fixtures/eval/caption-tsv/pairs.tsv');
    expect(run('retrieval', '--model', 'models/tiny/pathoclip', '--data', data, '--out', out, '--no-progress').status).toBe(0);
    const other = run('retrieval', '--model', 'models/tiny/pathoclip', '--data', path.join(ROOT, 'tests/fixtures/eval/arch/captions.json'), '--out', out);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/holds a run with other settings .*use another --out folder/);
  }, 60_000);
});
