/**
 * open_clip's way of fitting a prompt into the text tower's 77 ids. The text tower pools at the highest id
 * (<end_of_text>), so a long prompt must keep it: keep the first 76 ids, force the 77th to <end_of_text>, then
 * right-pad with 0. transformers.js's own `truncation: true` just cuts, dropping <end_of_text> (measured).
 */
export interface TextTruncation {
  contextLength: number;
  eosTokenId: number;
  padTokenId: number;
}

export const OPEN_CLIP_TRUNCATION: TextTruncation = { contextLength: 77, eosTokenId: 49407, padTokenId: 0 };

/** `ids` as the tokenizer gave them (special tokens added, not truncated) -> exactly `contextLength` ids. */
export function openClipTokenIds(ids: readonly number[], { contextLength, eosTokenId, padTokenId }: TextTruncation = OPEN_CLIP_TRUNCATION): number[] {
  const kept = ids.slice(0, contextLength);
  if (ids.length > contextLength) kept[contextLength - 1] = eosTokenId;
  while (kept.length < contextLength) kept.push(padTokenId);
  return kept;
}

/** Reads the truncation the export recorded in config.json (`patholens.text_truncation`), else open_clip's. */
export function textTruncationFromConfig(config: unknown): TextTruncation {
  const block = (config as { patholens?: { text_truncation?: { context_length?: unknown; eos_token_id?: unknown; pad_token_id?: unknown } } } | null)?.patholens
    ?.text_truncation;
  const number = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isInteger(value) ? value : fallback);
  return {
    contextLength: number(block?.context_length, OPEN_CLIP_TRUNCATION.contextLength),
    eosTokenId: number(block?.eos_token_id, OPEN_CLIP_TRUNCATION.eosTokenId),
    padTokenId: number(block?.pad_token_id, OPEN_CLIP_TRUNCATION.padTokenId),
  };
}

/** Scales a vector to unit length (a zero vector stays zero), so dot products are cosines. */
export function normalize(vector: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let index = 0; index < vector.length; index++) sum += vector[index]! * vector[index]!;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  return Float32Array.from(vector, (value) => value * scale);
}
