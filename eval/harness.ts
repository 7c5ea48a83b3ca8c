/**
 * One evaluation run: read the benchmark, run every item not yet in the out folder's journal through the engine,
 * then write the summary (JSON and markdown) from all records. The CLI, the tests and the benchmark call this
 * with an engine they made; run.json guards a resumed run against a different task, data or model.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_GENERATION_SETTINGS, type GenerationSettings } from '../src/inference/generation-settings';
import type { PathoR1Engine } from '../src/inference/patho-r1-engine';
import type { PathoClipEngine } from '../src/inference/pathoclip-engine';
import { DatasetError, type McqItem } from './items';
import { Journal, type JournalRecord } from './journal';
import { loadMcq, loadRetrieval, loadVqa, loadZeroShot, requireUniqueIds } from './load-items';
import { startProgress, type Progress } from './progress';
import { isErrorRecord, runItems, type ErrorRecord } from './run-items';
import { summarizeMcq, summarizeRetrieval, summarizeVqa, summarizeZeroShot, summaryMarkdown, type Summary, type TaskName } from './summary';
import { classEmbeddings, runRetrievalItem, runZeroShotItem, type RetrievalRecord, type ZeroShotRecord } from './tasks/embedding';
import { runMcqItem, runVqaItem, type McqRecord, type VqaRecord } from './tasks/generative';

export const TASKS: readonly TaskName[] = ['mcq', 'vqa-closed', 'vqa-open', 'zero-shot', 'retrieval'];

export interface EvalOptions {
  task: TaskName;
  data: string;
  out: string;
  /** Image root when the benchmark's image paths are relative to somewhere else than its file. */
  images?: string;
  /** zero-shot: the label-set JSON. */
  labels?: string;
  /** mcq: only this split (PathMMU's test_tiny is a subset of test, so a paper's number is one split's). */
  split?: string;
  /** What the model is, for run.json (a folder, or "URL model"). */
  model: string;
  maxNewTokens?: number;
  concurrency?: number;
  /** Show the progress bar on stderr. */
  progress?: boolean;
}

export interface Engines {
  reasoner?: PathoR1Engine;
  clip?: PathoClipEngine;
}

export const RECORDS_FILE = 'records.jsonl';

/** The run's identity: a rerun in the same folder must match it to resume. */
function runIdentity(options: EvalOptions) {
  return {
    task: options.task,
    data: path.resolve(options.data),
    labels: options.labels ? path.resolve(options.labels) : null,
    split: options.split ?? null,
    model: options.model,
    maxNewTokens: options.maxNewTokens ?? null,
  };
}

async function claimOutFolder(options: EvalOptions): Promise<void> {
  await mkdir(options.out, { recursive: true });
  const file = path.join(options.out, 'run.json');
  const identity = runIdentity(options);
  if (existsSync(file)) {
    const previous = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (JSON.stringify(previous) !== JSON.stringify(identity)) {
      throw new DatasetError(
        `${options.out} holds a run with other settings (${JSON.stringify(previous)}); use another --out folder to start a new run, or the same settings to resume.`,
      );
    }
    return;
  }
  await writeFile(file, `${JSON.stringify(identity)}\n`);
}

function selectSplit(items: McqItem[], split: string | undefined, data: string): McqItem[] {
  if (split === undefined) return items;
  const chosen = items.filter((item) => item.group.split === split);
  if (chosen.length === 0) {
    const splits = [...new Set(items.map((item) => item.group.split))].join(', ');
    throw new DatasetError(`${data} has no questions in the split "${split}" (its splits: ${splits}).`);
  }
  return chosen;
}

function requireEngine<E>(engine: E | undefined, task: string): E {
  if (!engine) throw new Error(`No model loaded for the ${task} task.`);
  return engine;
}

export async function runEval(options: EvalOptions, engines: Engines): Promise<Summary> {
  await claimOutFolder(options);
  const settings: GenerationSettings = { ...DEFAULT_GENERATION_SETTINGS, ...(options.maxNewTokens ? { maxNewTokens: options.maxNewTokens } : {}) };
  const concurrency = options.concurrency ?? 1;
  const journalFile = path.join(options.out, RECORDS_FILE);

  async function execute<I extends { id: string }, R extends JournalRecord>(
    items: readonly I[],
    run: (item: I) => Promise<Omit<R, 'id' | 'order'>>,
  ): Promise<(R | ErrorRecord)[]> {
    requireUniqueIds(items, options.data);
    // An item that failed (a missing image since added, a server that timed out) runs again on a rerun.
    const journal = Journal.open<R | ErrorRecord>(journalFile, isErrorRecord);
    let progress: Progress | undefined;
    try {
      const alreadyDone = items.filter((item) => journal.has(item.id)).length;
      if (options.progress) progress = startProgress(options.task, items.length, alreadyDone);
      await runItems<I, R>({ items, journal, concurrency, run, ...(progress ? { progress } : {}) });
    } finally {
      progress?.stop();
      journal.close();
    }
    const ids = new Set(items.map((item) => item.id));
    return journal.records().filter((record) => ids.has(record.id));
  }

  let summary: Summary;
  switch (options.task) {
    case 'mcq': {
      const engine = requireEngine(engines.reasoner, options.task);
      const items = selectSplit(await loadMcq(options.data, options.images), options.split, options.data);
      summary = summarizeMcq(await execute<(typeof items)[number], McqRecord>(items, (item) => runMcqItem(engine, settings, item)), items.length);
      break;
    }
    case 'vqa-closed':
    case 'vqa-open': {
      const engine = requireEngine(engines.reasoner, options.task);
      const items = await loadVqa(options.data, options.task === 'vqa-closed');
      const records = await execute<(typeof items)[number], VqaRecord>(items, (item) => runVqaItem(engine, settings, item));
      summary = summarizeVqa(options.task, records, items.length);
      break;
    }
    case 'zero-shot': {
      const engine = requireEngine(engines.clip, options.task);
      const { items, prompts } = await loadZeroShot(options.data, options.labels);
      const classes = await classEmbeddings(engine, prompts.prompts);
      const records = await execute<(typeof items)[number], ZeroShotRecord>(items, (item) => runZeroShotItem(engine, classes, item));
      summary = summarizeZeroShot(records, items.length, prompts.folders);
      break;
    }
    case 'retrieval': {
      const engine = requireEngine(engines.clip, options.task);
      const items = await loadRetrieval(options.data, options.images);
      const records = await execute<(typeof items)[number], RetrievalRecord>(items, (item) => runRetrievalItem(engine, item));
      summary = summarizeRetrieval(records, items.length);
      break;
    }
  }
  await writeFile(path.join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(path.join(options.out, 'summary.md'), summaryMarkdown(summary, `${options.task} on ${path.basename(options.data)}`));
  return summary;
}
