/**
 * The per-item and per-set metrics of the harness: yes/no reading for closed VQA, exact match and SQuAD's token
 * F1 for open VQA, balanced accuracy and per-class recall for zero-shot classification, and Recall@K for
 * cross-modal retrieval. Pure functions; the summary attaches the confidence intervals (eval/stats.ts).
 */
import { answerText, normalizeAnswer } from '../src/inference/patho-r1-rewards';

/** "yes"/"no" when the reply's answer starts with one of them (after normalisation), else null (unparsed). */
export function readYesNo(reply: string): 'yes' | 'no' | null {
  const first = normalizeAnswer(answerText(reply)).split(' ')[0];
  return first === 'yes' || first === 'no' ? first : null;
}

/** The reference yes/no of a closed question, or null when the answer is not a yes/no. */
export function closedAnswer(answer: string): 'yes' | 'no' | null {
  const normalized = normalizeAnswer(answer);
  return normalized === 'yes' || normalized === 'no' ? normalized : null;
}

export function exactMatch(prediction: string, reference: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(reference);
}

/**
 * SQuAD's token F1: the harmonic mean of precision and recall over the bag of normalised tokens. Two empty
 * answers agree (1); one empty answer against a non-empty one scores 0.
 */
export function tokenF1(prediction: string, reference: string): number {
  const predicted = tokens(prediction);
  const expected = tokens(reference);
  if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const token of expected) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      common++;
      counts.set(token, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return (2 * precision * recall) / (precision + recall);
}

function tokens(text: string): string[] {
  const normalized = normalizeAnswer(text);
  return normalized ? normalized.split(' ') : [];
}

/** The index of the largest value; a tie goes to the first (numpy's argmax), an empty list is -1. */
export function argmax(values: readonly number[]): number {
  let best = -1;
  values.forEach((value, index) => {
    if (best < 0 || value > (values[best] as number)) best = index;
  });
  return best;
}

/** Per class: how many items of that class there are and how many were predicted right. */
export function perClassCounts(labels: readonly number[], predictions: readonly number[], classCount: number): { n: number; correct: number }[] {
  const counts = Array.from({ length: classCount }, () => ({ n: 0, correct: 0 }));
  labels.forEach((label, index) => {
    const entry = counts[label];
    if (!entry) throw new RangeError(`Label ${label} is outside the ${classCount} classes.`);
    entry.n++;
    if (predictions[index] === label) entry.correct++;
  });
  return counts;
}

/** The mean of the per-class recalls over the classes that have items (sklearn's balanced_accuracy_score). */
export function balancedAccuracy(labels: readonly number[], predictions: readonly number[], classCount: number): number {
  const present = perClassCounts(labels, predictions, classCount).filter((entry) => entry.n > 0);
  if (present.length === 0) return Number.NaN;
  return present.reduce((sum, entry) => sum + entry.correct / entry.n, 0) / present.length;
}

/**
 * For each query row, the rank (0 = first) of its true match among all candidates, by descending similarity.
 * Ties count against the query (a candidate scoring the same as the true match ranks ahead of it), so a
 * constant model cannot score well.
 */
export function ranksOfTrueMatches(similarity: readonly (readonly number[])[], truth: readonly number[]): number[] {
  return similarity.map((row, query) => {
    const target = truth[query] as number;
    const score = row[target] as number;
    let rank = 0;
    row.forEach((value, candidate) => {
      if (candidate !== target && value >= score) rank++;
    });
    return rank;
  });
}

/**
 * Both directions of retrieval at once, for pair i = (image i, text i), from row-major embeddings (n x dims each):
 * the rank of text i among all texts for image i, and of image i among all images for text i, with ties against
 * the query as in ranksOfTrueMatches. Each cosine is computed once and no n x n matrix is kept (memory O(n)), so
 * ARCH-sized sets (thousands of pairs) summarise in seconds.
 */
export function retrievalRanks(images: Float64Array, texts: Float64Array, n: number, dims: number): { imageToText: number[]; textToImage: number[] } {
  if (images.length !== n * dims || texts.length !== n * dims) throw new RangeError(`Expected ${n} embeddings of ${dims} values each.`);
  const dot = (image: number, text: number) => {
    let sum = 0;
    const a = image * dims;
    const b = text * dims;
    for (let k = 0; k < dims; k++) sum += (images[a + k] as number) * (texts[b + k] as number);
    return sum;
  };
  const diagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) diagonal[i] = dot(i, i);
  const imageToText = new Array<number>(n).fill(0);
  const textToImage = new Array<number>(n).fill(0);
  // Tiles of TILE images x TILE texts keep both tiles in cache while their cosines are computed.
  const TILE = 32;
  for (let i0 = 0; i0 < n; i0 += TILE) {
    for (let j0 = 0; j0 < n; j0 += TILE) {
      for (let i = i0; i < Math.min(i0 + TILE, n); i++) {
        for (let j = j0; j < Math.min(j0 + TILE, n); j++) {
          if (i === j) continue;
          const score = dot(i, j);
          if (score >= (diagonal[i] as number)) imageToText[i] = (imageToText[i] as number) + 1;
          if (score >= (diagonal[j] as number)) textToImage[j] = (textToImage[j] as number) + 1;
        }
      }
    }
  }
  return { imageToText, textToImage };
}

/** How many of `ranks` are below k (the true match is in the top k). */
export function hitsAtK(ranks: readonly number[], k: number): number {
  return ranks.filter((rank) => rank < k).length;
}
