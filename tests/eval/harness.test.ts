/**
 * The harness end to end on the tiny models, for every task and reader: each record holds what the app's runtime
 * answers for that item (checked by asking it directly), metrics follow from the records, bad items are errors.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval, RECORDS_FILE, type EvalOptions } from '../../eval/harness';
import { decodeImage } from '../../eval/image';
import { tokenF1 } from '../../eval/metrics';
import { readPathMmu } from '../../eval/readers/pathmmu';
import { readArchCaptions } from '../../eval/readers/captions';
import type { McqRecord, VqaRecord } from '../../eval/tasks/generative';
import type { RetrievalRecord, ZeroShotRecord } from '../../eval/tasks/embedding';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { InThreadPathoR1Engine } from '../../src/inference/in-thread-engine';
import { extractMcqChoice } from '../../src/inference/mcq-answer';
import type { GenerationOutcome, PathoR1Engine, PathoR1GenerateRequest } from '../../src/inference/patho-r1-engine';
import { buildPathoR1Messages } from '../../src/inference/patho-r1-prompt';
import { answerText, formatReward } from '../../src/inference/patho-r1-rewards';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';
import { PathoClipRuntime } from '../../src/inference/pathoclip-runtime';

const MODEL_ROOT = path.resolve(import.meta.dirname, '../../models/tiny');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/eval');
const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);
const MAX_NEW_TOKENS = 12;

function readRecords<R>(out: string): R[] {
  return readFileSync(path.join(out, RECORDS_FILE), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as R);
}

const outFolder = () => mkdtempSync(path.join(tmpdir(), 'eval-'));
const metric = (summary: { metrics: { name: string; value: number }[] }, name: string) => summary.metrics.find((entry) => entry.name === name)?.value;

describe('Patho-R1 tasks on the tiny model', () => {
  let runtime: PathoR1Runtime;
  let engine: PathoR1Engine;
  beforeAll(async () => {
    runtime = await PathoR1Runtime.load({ modelRoot: MODEL_ROOT, modelName: 'patho-r1', dtype: 'fp32', device: 'cpu' });
    engine = new InThreadPathoR1Engine(runtime);
  });
  afterAll(async () => {
    await runtime?.dispose();
  });

  const options = (task: EvalOptions['task'], data: string, extra: Partial<EvalOptions> = {}): EvalOptions => ({
    task,
    data,
    out: outFolder(),
    model: 'tiny',
    maxNewTokens: MAX_NEW_TOKENS,
    ...extra,
  });

  it("mcq on PathMMU data.json: each reply is the runtime's own, read by the app's MCQ reader; the missing image is an error", async () => {
    const run = options('mcq', fixture('pathmmu', 'data.json'));
    const summary = await runEval(run, { reasoner: engine });
    expect(summary).toMatchObject({ task: 'mcq', items: 6, evaluated: 5, errors: 1 });
    const records = readRecords<McqRecord & { error?: string }>(run.out);
    expect(records.find((record) => record.id === 'SocialPath/test/1')?.error).toMatch(/^The image cannot be read/);

    const items = await readPathMmu(fixture('pathmmu', 'data.json'));
    const item = items[4]!;
    const direct = await runtime.generate({
      messages: buildPathoR1Messages([{ question: item.question, options: item.options, withImage: true }]),
      images: [await decodeImage(item.image)],
      settings: { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: MAX_NEW_TOKENS },
    });
    const record = records.find((entry) => entry.id === item.id)!;
    expect(record.reply).toBe(direct.text);
    expect(record.group).toEqual({ subset: 'Atlas', split: 'test' });
    for (const entry of records.filter((candidate) => !candidate.error)) {
      const choice = extractMcqChoice(entry.reply, items.find((candidate) => candidate.id === entry.id)!.options);
      expect(entry.choice).toEqual(choice);
      expect(entry.correct).toBe(choice.status === 'chosen' && choice.index === entry.answerIndex);
      expect(entry.format).toBe(formatReward(entry.reply));
    }
    const correct = records.filter((entry) => entry.correct).length;
    expect(metric(summary, 'accuracy')).toBeCloseTo(correct / 5, 10);
    expect(summary.counts.unparsed! + summary.counts.ambiguous!).toBe(records.filter((entry) => !entry.error && entry.choice.status !== 'chosen').length);
    expect(readFileSync(path.join(run.out, 'summary.md'), 'utf8')).toContain('| accuracy subset/split PubMed/test_tiny |');
  });

  it('mcq --split keeps one split (PathMMU test_tiny is a subset of test); an unknown split names the ones there are', async () => {
    const summary = await runEval(options('mcq', fixture('pathmmu', 'data.json'), { split: 'test_tiny' }), { reasoner: engine });
    expect(summary).toMatchObject({ items: 1, evaluated: 1, errors: 0 });
    await expect(runEval(options('mcq', fixture('pathmmu', 'data.json'), { split: 'dev' }), { reasoner: engine })).rejects.toThrow(
      'has no questions in the split "dev" (its splits: test, test_tiny).',
    );
  });

  it('mcq on a VLMEvalKit TSV: base64 images, a referenced image, an undecodable image recorded as an error', async () => {
    const run = options('mcq', fixture('vlmevalkit', 'PathMMU_TINY.tsv'));
    const summary = await runEval(run, { reasoner: engine });
    expect(summary).toMatchObject({ items: 4, evaluated: 3, errors: 1 });
    expect(readRecords<{ id: string; error?: string }>(run.out).find((record) => record.id === '3')?.error).toMatch(/^The image cannot be read/);
    expect(metric(summary, 'accuracy subset EduContent')).toBeDefined();
  });

  it('vqa-closed and vqa-open on PathVQA parquet: yes/no accuracy, exact match and token F1 from the kept raw answers', async () => {
    const closed = options('vqa-closed', fixture('pathvqa', 'test-00000-of-00001.parquet'));
    const closedSummary = await runEval(closed, { reasoner: engine });
    expect(closedSummary).toMatchObject({ task: 'vqa-closed', items: 3, evaluated: 3, errors: 0 });
    const closedRecords = readRecords<VqaRecord>(closed.out);
    expect(closedRecords.every((record) => record.closed && ['yes', 'no'].includes(record.answer))).toBe(true);
    expect(metric(closedSummary, 'accuracy')).toBeCloseTo(closedRecords.filter((record) => record.correct).length / 3, 10);
    expect(closedSummary.counts.unparsed).toBe(closedRecords.filter((record) => record.yesNo === null).length);

    const open = options('vqa-open', fixture('pathvqa', 'test-00000-of-00001.parquet'));
    const openSummary = await runEval(open, { reasoner: engine });
    const openRecords = readRecords<VqaRecord>(open.out);
    expect(openRecords.map((record) => record.answer)).toEqual(['squamous cell carcinoma', 'lung']);
    for (const record of openRecords) {
      expect(record.predicted).toBe(answerText(record.reply));
      expect(record.f1).toBe(tokenF1(record.predicted, record.answer));
    }
    expect(metric(openSummary, 'token F1')).toBeCloseTo((openRecords[0]!.f1 + openRecords[1]!.f1) / 2, 10);
    expect(openSummary.metrics.find((entry) => entry.name === 'token F1')?.interval).toBe('bootstrap');
  });

  it('Quilt-VQA parquet: CLOSED and OPEN split by answer_type', async () => {
    const closed = await runEval(options('vqa-closed', fixture('quilt-vqa', 'Quilt_VQA.parquet')), { reasoner: engine });
    const open = await runEval(options('vqa-open', fixture('quilt-vqa', 'Quilt_VQA.parquet')), { reasoner: engine });
    expect([closed.items, open.items]).toEqual([2, 2]);
  });

  it('a bounded pool: never more than N answers in flight, and the same summary as one at a time', async () => {
    let inFlight = 0;
    let most = 0;
    let queue = Promise.resolve();
    // The in-thread runtime answers one question at a time, so calls queue behind each other inside, as a server's would.
    const counting: PathoR1Engine = {
      generate(request: PathoR1GenerateRequest): Promise<GenerationOutcome> {
        inFlight++;
        most = Math.max(most, inFlight);
        const result = queue.then(() => engine.generate(request));
        queue = result.then(
          () => undefined,
          () => undefined,
        );
        return result.finally(() => inFlight--);
      },
    };
    const serial = await runEval(options('mcq', fixture('pathmmu', 'data.json')), { reasoner: engine });
    const pooled = options('mcq', fixture('pathmmu', 'data.json'), { concurrency: 3 });
    expect(await runEval(pooled, { reasoner: counting })).toEqual(serial);
    expect(most).toBe(3);
  });
});

describe('PathoCLIP tasks on the tiny model', () => {
  let clip: PathoClipRuntime;
  beforeAll(async () => {
    clip = await PathoClipRuntime.load({ modelRoot: MODEL_ROOT, modelName: 'pathoclip', imageDtype: 'fp32', textDtype: 'fp32', device: 'cpu' });
  });
  afterAll(async () => {
    await clip?.dispose();
  });

  it('zero-shot over an ImageFolder: PathoCLIP lists and the CONCH shape give the same predictions (by folder); the broken image is an error', async () => {
    const run = (labels: string): EvalOptions => ({ task: 'zero-shot', data: fixture('zero-shot', 'crc'), labels, out: outFolder(), model: 'tiny' });
    const listsRun = run(fixture('zero-shot', 'labels-pathoclip.json'));
    const conchRun = run(fixture('zero-shot', 'labels-conch.json'));
    const lists = await runEval(listsRun, { clip });
    const conch = await runEval(conchRun, { clip });
    expect(lists).toMatchObject({ items: 7, evaluated: 6, errors: 1 });
    const folderOf = (folders: string[]) => (record: ZeroShotRecord) => [record.id, folders[record.predicted]];
    const listRecords = readRecords<ZeroShotRecord>(listsRun.out).filter((record) => record.probabilities);
    const conchRecords = readRecords<ZeroShotRecord>(conchRun.out).filter((record) => record.probabilities);
    expect(conchRecords.map(folderOf(['TUM', 'ADI', 'LYM']))).toEqual(listRecords.map(folderOf(['ADI', 'LYM', 'TUM'])));
    expect(metric(conch, 'accuracy')).toBeCloseTo(metric(lists, 'accuracy')!, 10);
    expect(metric(conch, 'balanced accuracy')).toBeCloseTo(metric(lists, 'balanced accuracy')!, 10);
    expect(metric(lists, 'recall ADI')).toBeCloseTo(metric(conch, 'recall ADI')!, 10);
    const right = listRecords.filter((record) => record.predicted === record.label).length;
    expect(metric(lists, 'accuracy')).toBeCloseTo(right / 6, 10);
    for (const record of listRecords) expect(record.probabilities.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 5);
  });

  it('retrieval on ARCH captions.json: Recall@K both ways from the stored embeddings; all four pairs are within the top 20', async () => {
    const run: EvalOptions = { task: 'retrieval', data: fixture('arch', 'captions.json'), out: outFolder(), model: 'tiny' };
    const summary = await runEval(run, { clip });
    expect(summary).toMatchObject({ items: 5, evaluated: 4, errors: 1 });
    const records = readRecords<RetrievalRecord>(run.out).filter((record) => record.imageEmbedding);
    const pairs = await readArchCaptions(fixture('arch', 'captions.json'));
    const [image] = await clip.embedImages([await decodeImage(pairs[0]!.image)]);
    expect(records[0]!.imageEmbedding).toEqual(Array.from(image!));
    // Recompute image→text Recall@1 by hand.
    const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
    const hits = records.filter((record, index) =>
      records.every((other, j) => j === index || dot(record.imageEmbedding, other.textEmbedding) < dot(record.imageEmbedding, record.textEmbedding)),
    ).length;
    expect(metric(summary, 'image→text Recall@1')).toBeCloseTo(hits / 4, 10);
    expect(metric(summary, 'image→text Recall@20')).toBe(1);
    expect(metric(summary, 'text→image Recall@20')).toBe(1);
    expect(summary.metrics.filter((entry) => entry.name.includes('Recall@'))).toHaveLength(8);
  });

  it('a rerun retries the items that failed: the missing ARCH image, once added, is evaluated and the error is gone', async () => {
    const folder = outFolder();
    cpSync(fixture('arch'), path.join(folder, 'arch'), { recursive: true });
    const run: EvalOptions = { task: 'retrieval', data: path.join(folder, 'arch', 'captions.json'), out: path.join(folder, 'out'), model: 'tiny' };
    expect(await runEval(run, { clip })).toMatchObject({ evaluated: 4, errors: 1 });
    const missing = JSON.parse(readFileSync(run.data, 'utf8'))['4'].uuid as string;
    copyFileSync(fixture('caption-tsv', 'images', 'pair_0.png'), path.join(folder, 'arch', 'images', `${missing}.png`));
    const rerun = await runEval(run, { clip });
    expect(rerun).toMatchObject({ items: 5, evaluated: 5, errors: 0 });
    expect(rerun.metrics.find((entry) => entry.name === 'image→text Recall@1')?.n).toBe(5);
  });

  it('retrieval from an image/caption TSV', async () => {
    const summary = await runEval({ task: 'retrieval', data: fixture('caption-tsv', 'pairs.tsv'), out: outFolder(), model: 'tiny' }, { clip });
    expect(summary).toMatchObject({ items: 3, evaluated: 3, errors: 0 });
  });
});
