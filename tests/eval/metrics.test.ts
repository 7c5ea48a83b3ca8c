/** The harness's metrics and intervals on hand-computed cases: ties, empty answers, several letters, unicode. */
import { describe, expect, it } from 'vitest';
import {
  argmax,
  balancedAccuracy,
  closedAnswer,
  exactMatch,
  hitsAtK,
  perClassCounts,
  ranksOfTrueMatches,
  readYesNo,
  retrievalRanks,
  tokenF1,
} from '../../eval/metrics';
import { seededRandom } from '../../src/ui/seeded-random';
import { bootstrapInterval, mean, percentile, wilsonInterval } from '../../eval/stats';
import { summarizeMcq, summaryMarkdown } from '../../eval/summary';
import type { McqRecord } from '../../eval/tasks/generative';

describe('intervals', () => {
  it('Wilson: 8 of 10 is 49.0%–94.3%; 0 of 10 starts at 0; 10 of 10 ends at 1; n = 0 says nothing', () => {
    const eight = wilsonInterval(8, 10);
    expect(eight.low).toBeCloseTo(0.4902, 4);
    expect(eight.high).toBeCloseTo(0.9433, 4);
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(0, 10).high).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10).high).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('percentile interpolates as numpy does; the bootstrap is seeded (same interval twice) and brackets the mean', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 10);
    const values = [0, 0.2, 0.5, 0.5, 1, 1, 0.8, 0.1];
    const first = bootstrapInterval(values, mean);
    expect(bootstrapInterval(values, mean)).toEqual(first);
    expect(first.low).toBeLessThan(mean(values));
    expect(first.high).toBeGreaterThan(mean(values));
    expect(bootstrapInterval([0.5, 0.5, 0.5], mean)).toEqual({ low: 0.5, high: 0.5 });
  });
});

describe('VQA metrics', () => {
  it("token F1 is SQuAD's: articles and punctuation dropped, bag of tokens", () => {
    expect(tokenF1('The cat sat.', 'a cat sat down')).toBeCloseTo(0.8, 10);
    expect(tokenF1('cat cat', 'cat')).toBeCloseTo(2 / 3, 10);
    expect(tokenF1('', '')).toBe(1);
    expect(tokenF1('', 'lung')).toBe(0);
    expect(tokenF1('lung', '')).toBe(0);
    expect(tokenF1('Sézary syndrome', 'sezary syndrome')).toBe(0.5);
    expect(tokenF1('ＳÉZARY syndrome', 'sézary Syndrome')).toBe(1);
  });

  it('exact match after normalisation; yes/no read from the answer block, else unparsed', () => {
    expect(exactMatch('The Lung!', 'lung')).toBe(true);
    expect(exactMatch('lungs', 'lung')).toBe(false);
    expect(readYesNo('<think>no idea, maybe no</think><answer>Yes, it is.</answer>')).toBe('yes');
    expect(readYesNo('<think>yes</think><answer>Probably not</answer>')).toBeNull();
    expect(readYesNo('No.')).toBe('no');
    expect(readYesNo('')).toBeNull();
    expect(closedAnswer('Yes')).toBe('yes');
    expect(closedAnswer('yes and no')).toBeNull();
  });
});

describe('classification and retrieval metrics', () => {
  it('zero-shot argmax: a tie goes to the first class (as numpy), so a constant model predicts class 0 and scores its recall only', () => {
    expect(argmax([0.2, 0.5, 0.5, 0.1])).toBe(1);
    expect(argmax([1 / 3, 1 / 3, 1 / 3])).toBe(0);
    expect(argmax([-1, -2])).toBe(0);
    expect(argmax([])).toBe(-1);
    const labels = [0, 1, 2, 2];
    const predictions = labels.map(() => argmax([0.25, 0.25, 0.25, 0.25]));
    expect(perClassCounts(labels, predictions, 3)).toEqual([
      { n: 1, correct: 1 },
      { n: 1, correct: 0 },
      { n: 2, correct: 0 },
    ]);
    expect(balancedAccuracy(labels, predictions, 3)).toBeCloseTo(1 / 3, 10);
  });

  it('balanced accuracy is the mean recall of the classes present', () => {
    expect(balancedAccuracy([0, 0, 0, 1], [0, 0, 1, 1], 3)).toBeCloseTo((2 / 3 + 1) / 2, 10);
    expect(perClassCounts([0, 0, 0, 1], [0, 0, 1, 1], 3)).toEqual([
      { n: 3, correct: 2 },
      { n: 1, correct: 1 },
      { n: 0, correct: 0 },
    ]);
  });

  it('Recall@K ranks ties against the query, so a constant similarity scores only at K = n', () => {
    const constant = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ];
    const ranks = ranksOfTrueMatches(constant, [0, 1, 2]);
    expect(ranks).toEqual([2, 2, 2]);
    expect(hitsAtK(ranks, 1)).toBe(0);
    expect(hitsAtK(ranks, 3)).toBe(3);
    const sims = [
      [0.9, 0.1, 0.5],
      [0.8, 0.7, 0.1],
      [0.1, 0.2, 0.3],
    ];
    expect(ranksOfTrueMatches(sims, [0, 1, 2])).toEqual([0, 1, 0]);
  });

  it('retrievalRanks (both directions from each cosine once) equals ranksOfTrueMatches on the full matrices, ties included', () => {
    // Hand case, 2-d: image 0 = (1, 0), image 1 = (0, 1); text 0 = (1, 0), text 1 = (1, 0) (a tie for image 0).
    const hand = retrievalRanks(new Float64Array([1, 0, 0, 1]), new Float64Array([1, 0, 1, 0]), 2, 2);
    expect(hand).toEqual({ imageToText: [1, 1], textToImage: [0, 1] });
    // 70 pairs (more than two 32-wide tiles) of coarse 8-d vectors, so many scores tie exactly.
    const random = seededRandom(7);
    const n = 70;
    const dims = 8;
    const vector = () => Array.from({ length: dims }, () => Math.round(random() * 2) - 1);
    const images = Array.from({ length: n }, vector);
    const texts = Array.from({ length: n }, vector);
    const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
    const truth = images.map((_, index) => index);
    const ranks = retrievalRanks(new Float64Array(images.flat()), new Float64Array(texts.flat()), n, dims);
    expect(ranks.imageToText).toEqual(
      ranksOfTrueMatches(
        images.map((image) => texts.map((text) => dot(image, text))),
        truth,
      ),
    );
    expect(ranks.textToImage).toEqual(
      ranksOfTrueMatches(
        texts.map((text) => images.map((image) => dot(image, text))),
        truth,
      ),
    );
    expect(() => retrievalRanks(new Float64Array(3), new Float64Array(4), 2, 2)).toThrow(RangeError);
  });
});

describe('MCQ summary', () => {
  const record = (id: string, subset: string, split: string, correct: boolean, status: 'chosen' | 'unparsed' | 'ambiguous', format: 0 | 1): McqRecord => ({
    id,
    order: Number(id),
    group: { subset, split },
    answerIndex: 0,
    reply: '',
    choice:
      status === 'chosen'
        ? { status, index: correct ? 0 : 1, letter: correct ? 'A' : 'B', source: 'answer-letter' }
        : status === 'ambiguous'
          ? { status, letters: ['A', 'B'], source: 'answer-letter' }
          : { status },
    correct,
    format,
    newTokens: 1,
  });

  it('overall accuracy is the example-weighted mean of subsets; per subset, split, subset/split; errors left out and counted', () => {
    const records = [
      record('1', 'PubMed', 'test', true, 'chosen', 1),
      record('2', 'PubMed', 'test', true, 'chosen', 1),
      record('3', 'PubMed', 'test', false, 'unparsed', 0),
      record('4', 'Atlas', 'test', false, 'ambiguous', 1),
      record('5', 'Atlas', 'tiny', true, 'chosen', 0),
      { id: '6', order: 6, error: 'The image cannot be read.' },
    ];
    const summary = summarizeMcq(records, 6);
    const value = (name: string) => summary.metrics.find((metric) => metric.name === name)?.value;
    expect(summary).toMatchObject({ items: 6, evaluated: 5, errors: 1, counts: { unparsed: 1, ambiguous: 1 } });
    // (2/3 * 3 + 1/2 * 2) / 5: the mean over subsets weighted by their sizes, not the plain mean of 66.7% and 50%.
    expect(value('accuracy')).toBeCloseTo(3 / 5, 10);
    expect(value('accuracy subset PubMed')).toBeCloseTo(2 / 3, 10);
    expect(value('accuracy subset Atlas')).toBeCloseTo(1 / 2, 10);
    expect(value('accuracy split tiny')).toBe(1);
    expect(value('accuracy subset/split Atlas/test')).toBe(0);
    expect(value('format compliance')).toBeCloseTo(3 / 5, 10);
    const markdown = summaryMarkdown(summary, 'mcq');
    expect(markdown).toContain('| accuracy | 60.0% | 23.1% – 88.2% | 5 | wilson |');
    expect(markdown).toContain('- unparsed: 1');
    // Two splits pooled: the summary says so, and one split alone has no such note.
    expect(summary.notes).toEqual([expect.stringContaining('The overall accuracy pools the splits test, tiny;')]);
    expect(markdown).toContain('Note: The overall accuracy pools the splits test, tiny;');
    expect(summarizeMcq(records.slice(0, 4), 4).notes).toBeUndefined();
  });
});
