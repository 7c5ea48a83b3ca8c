/**
 * Confidence intervals for the summary: Wilson's score interval for proportions (accuracy, recall, exact match:
 * right at 0% and 100% and for small n, where the normal approximation is not), and a percentile bootstrap for
 * means that are not proportions (token F1, balanced accuracy). The bootstrap's generator is seeded so a rerun
 * (or a resumed run) writes the identical summary.
 */
import { seededRandom } from '../src/ui/seeded-random';

export interface Interval {
  low: number;
  high: number;
}

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/** Wilson score interval of `successes` out of `n` (95%); n = 0 gives the uninformative [0, 1]. */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 and n the bound is exactly 0 or 1 (rounding would leave 0.9999999999999999).
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === n ? 1 : Math.min(1, centre + half) };
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
}

/**
 * 95% percentile bootstrap of `statistic` over `items` (resampled with replacement). The statistic receives a
 * resample; the interval is its 2.5th and 97.5th percentiles.
 */
export function bootstrapInterval<T>(items: readonly T[], statistic: (sample: readonly T[]) => number, options: BootstrapOptions = {}): Interval {
  const { resamples = 1000, seed = 12 } = options;
  if (items.length === 0) return { low: 0, high: 1 };
  const random = seededRandom(seed);
  const values: number[] = [];
  const sample: T[] = new Array<T>(items.length);
  for (let round = 0; round < resamples; round++) {
    for (let index = 0; index < items.length; index++) sample[index] = items[Math.floor(random() * items.length)] as T;
    const value = statistic(sample);
    if (Number.isFinite(value)) values.push(value);
  }
  values.sort((a, b) => a - b);
  return { low: percentile(values, 0.025), high: percentile(values, 0.975) };
}

/** Linear-interpolated percentile of sorted values (numpy's default). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
