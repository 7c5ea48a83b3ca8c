/**
 * Zero-shot classification from normalised PathoCLIP embeddings, as CLIP does it: a class's embedding is the
 * normalised mean of its prompts' embeddings; logits = logitScale * cosine (+ bias); probabilities = softmax.
 * A region larger than the model's input is embedded tile by tile and the normalised mean taken (mean pooling).
 */
import { normalize } from '../../inference/pathoclip-tokens';

/** The normalised mean of unit vectors (the direction they share). */
export function meanEmbedding(embeddings: readonly Float32Array[]): Float32Array {
  const first = embeddings[0];
  if (!first) throw new Error('No embeddings to average.');
  const sum = new Float32Array(first.length);
  for (const embedding of embeddings) for (let index = 0; index < sum.length; index++) sum[index]! += embedding[index]!;
  return normalize(sum);
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index]! * b[index]!;
  return sum;
}

export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

export interface ClassScore {
  /** Index of the class in the label set. */
  index: number;
  cosine: number;
  probability: number;
}

/** Scores of every class for one image embedding, in label-set order. */
export function zeroShotClassify(
  imageEmbedding: Float32Array,
  classEmbeddings: readonly Float32Array[],
  logitScale: number,
  logitBias: number | null = null,
): ClassScore[] {
  const cosines = classEmbeddings.map((classEmbedding) => dot(imageEmbedding, classEmbedding));
  const probabilities = softmax(cosines.map((cosine) => logitScale * cosine + (logitBias ?? 0)));
  return cosines.map((cosine, index) => ({ index, cosine, probability: probabilities[index]! }));
}
