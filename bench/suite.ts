/**
 * What a benchmark suite is: a module under bench/suites/ whose default export is a BenchSuite. The runner
 * (bench/run.ts) prints its table and writes bench/results/<name>.json. Suites compare PathoLens with the peer
 * named in their issue in the same run, as a ratio; nothing here asserts a time.
 */
export type BenchCell = string | number | null;

export interface BenchReport {
  /** One line saying what was measured, on what input. */
  title: string;
  columns: string[];
  rows: Record<string, BenchCell>[];
  /** Caveats a reader needs (e.g. "WebGPU through SwiftShader: CPU emulation"). */
  notes?: string[];
  /** Raw numbers (samples, settings) kept in the JSON but not printed. */
  details?: unknown;
  /** File name under bench/results (without .json) when one suite records several inputs; default: the suite name. */
  resultName?: string;
}

export interface BenchContext {
  /** Arguments after the suite name: `npm run bench -- tiles --quick` gives ['--quick']. */
  args: string[];
  /** Progress lines go to stderr so the table on stdout stays clean. */
  log(message: string): void;
}

export interface BenchSuite {
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchReport>;
}
