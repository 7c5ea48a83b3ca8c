/**
 * `npm run bench [-- SUITE [ARGS...]]`: runs one suite (or all, one after another), prints each table and
 * writes bench/results/<suite>.json with the machine it ran on.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchReport, BenchSuite } from './suite';
import { formatTable } from './table';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const suitesDir = path.join(benchDir, 'suites');
const resultsDir = path.join(benchDir, 'results');

async function loadSuites(): Promise<BenchSuite[]> {
  const files = (await readdir(suitesDir)).filter((file) => /\.(ts|mts|js|mjs)$/.test(file)).sort();
  const suites: BenchSuite[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(suitesDir, file)).href)) as { default?: BenchSuite };
    if (module.default?.name && typeof module.default.run === 'function') suites.push(module.default);
  }
  return suites;
}

function machine() {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

async function runSuite(suite: BenchSuite, args: string[]): Promise<BenchReport> {
  const started = Date.now();
  const report = await suite.run({ args, log: (message) => process.stderr.write(`[${suite.name}] ${message}\n`) });
  const record = { suite: suite.name, date: new Date().toISOString(), seconds: (Date.now() - started) / 1000, machine: machine(), args, ...report };
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${report.resultName ?? suite.name}.json`);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`\n${report.title}\n\n${formatTable(report)}\n`);
  for (const note of report.notes ?? []) process.stdout.write(`note: ${note}\n`);
  process.stdout.write(`written: ${path.relative(process.cwd(), file)}\n`);
  return report;
}

async function main(argv: string[]): Promise<number> {
  const suites = await loadSuites();
  const [wanted, ...args] = argv;
  if (wanted === '--list' || wanted === '--help') {
    for (const suite of suites) process.stdout.write(`${suite.name.padEnd(12)} ${suite.description}\n`);
    return 0;
  }
  const chosen = wanted ? suites.filter((suite) => suite.name === wanted) : suites;
  if (chosen.length === 0) {
    const known = suites.map((suite) => suite.name).join(', ') || 'none yet';
    process.stderr.write(`No benchmark suite named "${wanted ?? ''}". Known suites: ${known}. Run "npm run bench -- --list".\n`);
    return 2;
  }
  for (const suite of chosen) await runSuite(suite, args);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
