/**
 * The summary of a run, computed from the journal's records alone (so a resumed run, whatever order its items
 * finished in, writes the identical summary): each metric with its 95% interval and the method that gave it
 * (Wilson for proportions, a seeded percentile bootstrap for token F1 and balanced accuracy).
 */
import type { McqRecord, VqaRecord } from './tasks/generative';
import type { RetrievalRecord, ZeroShotRecord } from './tasks/embedding';
import { isErrorRecord, type ErrorRecord } from './run-items';
import { balancedAccuracy, hitsAtK, perClassCounts, retrievalRanks } from './metrics';
import { bootstrapInterval, mean, wilsonInterval } from './stats';

export interface Metric {
  name: string;
  value: number;
  low: number;
  high: number;
  /** Items the metric is over. */
  n: number;
  interval: 'wilson' | 'bootstrap';
}

export interface Summary {
  task: string;
  items: number;
  evaluated: number;
  errors: number;
  metrics: Metric[];
  /** Counts that are not rates: unparsed and ambiguous MCQ replies, and the like. */
  counts: Record<string, number>;
  /** Sentences a reader of the numbers needs (e.g. that the overall accuracy pools several splits). */
  notes?: string[];
}

export type TaskName = 'mcq' | 'vqa-closed' | 'vqa-open' | 'zero-shot' | 'retrieval';

export function proportion(name: string, successes: number, n: number): Metric {
  const { low, high } = wilsonInterval(successes, n);
  return { name, value: n === 0 ? Number.NaN : successes / n, low, high, n, interval: 'wilson' };
}

function bootstrapped<T>(name: string, items: readonly T[], statistic: (sample: readonly T[]) => number): Metric {
  const { low, high } = bootstrapInterval(items, statistic);
  return { name, value: statistic(items), low, high, n: items.length, interval: 'bootstrap' };
}

function split<R>(records: readonly (R | ErrorRecord)[]): { ok: R[]; errors: number } {
  const ok = records.filter((record) => !isErrorRecord(record as ErrorRecord)) as R[];
  return { ok, errors: records.length - ok.length };
}

function formatCompliance(records: readonly { format: 0 | 1 }[]): Metric {
  return proportion('format compliance', records.filter((record) => record.format === 1).length, records.length);
}

/** MCQ: overall accuracy (= the example-weighted mean over subsets), then per subset, per split, per subset/split. */
export function summarizeMcq(records: readonly (McqRecord | ErrorRecord)[], items: number): Summary {
  const { ok, errors } = split<McqRecord>(records);
  const correct = (list: readonly McqRecord[]) => list.filter((record) => record.correct).length;
  const metrics = [proportion('accuracy', correct(ok), ok.length), formatCompliance(ok)];
  const groupings: [string, (record: McqRecord) => string][] = [
    ['subset', (record) => record.group.subset],
    ['split', (record) => record.group.split],
    ['subset/split', (record) => `${record.group.subset}/${record.group.split}`],
  ];
  for (const [kind, key] of groupings) {
    const groups = new Map<string, McqRecord[]>();
    for (const record of ok) {
      const list = groups.get(key(record));
      if (list) list.push(record);
      else groups.set(key(record), [record]);
    }
    if (groups.size < 2) continue;
    for (const [name, list] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      metrics.push(proportion(`accuracy ${kind} ${name}`, correct(list), list.length));
    }
  }
  const splits = [...new Set(ok.map((record) => record.group.split))].sort();
  return {
    task: 'mcq',
    items,
    evaluated: ok.length,
    errors,
    metrics,
    counts: {
      unparsed: ok.filter((record) => record.choice.status === 'unparsed').length,
      ambiguous: ok.filter((record) => record.choice.status === 'ambiguous').length,
    },
    ...(splits.length > 1
      ? {
          notes: [
            `The overall accuracy pools the splits ${splits.join(', ')}; PathMMU's test_tiny is a subset of test, so compare a paper's number with "accuracy split NAME" (or run with --split NAME).`,
          ],
        }
      : {}),
  };
}

export function summarizeVqa(task: 'vqa-closed' | 'vqa-open', records: readonly (VqaRecord | ErrorRecord)[], items: number): Summary {
  const { ok, errors } = split<VqaRecord>(records);
  const metrics: Metric[] = [];
  const counts: Record<string, number> = {};
  if (task === 'vqa-closed') {
    metrics.push(proportion('accuracy', ok.filter((record) => record.correct).length, ok.length));
    counts.unparsed = ok.filter((record) => record.yesNo === null).length;
  }
  metrics.push(proportion('exact match', ok.filter((record) => record.exactMatch).length, ok.length));
  metrics.push(bootstrapped('token F1', ok, (sample) => mean(sample.map((record) => record.f1))));
  metrics.push(formatCompliance(ok));
  return { task, items, evaluated: ok.length, errors, metrics, counts };
}

export function summarizeZeroShot(records: readonly (ZeroShotRecord | ErrorRecord)[], items: number, classNames: readonly string[]): Summary {
  const { ok, errors } = split<ZeroShotRecord>(records);
  const labels = ok.map((record) => record.label);
  const predictions = ok.map((record) => record.predicted);
  const metrics = [
    proportion('accuracy', ok.filter((record) => record.predicted === record.label).length, ok.length),
    bootstrapped('balanced accuracy', ok, (sample) =>
      balancedAccuracy(
        sample.map((record) => record.label),
        sample.map((record) => record.predicted),
        classNames.length,
      ),
    ),
  ];
  perClassCounts(labels, predictions, classNames.length).forEach((entry, index) => {
    metrics.push(proportion(`recall ${classNames[index]}`, entry.correct, entry.n));
  });
  return { task: 'zero-shot', items, evaluated: ok.length, errors, metrics, counts: {} };
}

export const RETRIEVAL_KS = [1, 5, 10, 20] as const;

export function summarizeRetrieval(records: readonly (RetrievalRecord | ErrorRecord)[], items: number): Summary {
  const { ok, errors } = split<RetrievalRecord>(records);
  const dims = ok[0]?.imageEmbedding.length ?? 0;
  const images = new Float64Array(ok.length * dims);
  const texts = new Float64Array(ok.length * dims);
  ok.forEach((record, index) => {
    images.set(record.imageEmbedding, index * dims);
    texts.set(record.textEmbedding, index * dims);
  });
  const ranks = retrievalRanks(images, texts, ok.length, dims);
  const metrics: Metric[] = [];
  for (const [direction, list] of [
    ['image→text', ranks.imageToText],
    ['text→image', ranks.textToImage],
  ] as const) {
    for (const k of RETRIEVAL_KS) metrics.push(proportion(`${direction} Recall@${k}`, hitsAtK(list, k), list.length));
  }
  return { task: 'retrieval', items, evaluated: ok.length, errors, metrics, counts: {} };
}

function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–';
}

/** The summary as a markdown table, one metric a row. */
export function summaryMarkdown(summary: Summary, heading: string): string {
  const lines = [
    `# ${heading}`,
    '',
    `Task: ${summary.task}. Items: ${summary.items}; evaluated: ${summary.evaluated}; errors: ${summary.errors}.`,
    '',
    '| Metric | Value | 95% CI | n | Interval |',
    '| --- | --- | --- | --- | --- |',
    ...summary.metrics.map(
      (metric) => `| ${metric.name} | ${percent(metric.value)} | ${percent(metric.low)} – ${percent(metric.high)} | ${metric.n} | ${metric.interval} |`,
    ),
  ];
  const counts = Object.entries(summary.counts);
  if (counts.length > 0) lines.push('', ...counts.map(([name, count]) => `- ${name}: ${count}`));
  if (summary.notes?.length) lines.push('', ...summary.notes.map((note) => `Note: ${note}`));
  lines.push('', 'Intervals: Wilson score interval for proportions; percentile bootstrap (1,000 resamples, fixed seed) for token F1 and balanced accuracy.');
  return `${lines.join('\n')}\n`;
}
