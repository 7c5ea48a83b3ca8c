/**
 * The part of a Patho-R1 prompt that is known before the question: the system turn and the user turn up to the end of
 * its last image (`…<|vision_end|>`). The chat template writes the question after the image, and `<|vision_end|>` is a
 * special token, so the question's text is tokenized on its own: the prompt's first ids are the prefix's ids whatever
 * the question (checked against the tokenizer in tests/inference/patho-r1-prefix-pre-read.test.ts). A prefix read ahead
 * is still only used when its ids equal the answer's first ids exactly; anything else falls back to a full prefill.
 */

/** Length of the prefix of `ids` that ends with the last `visionEndId` (0 when the prompt has no image). */
export function promptPrefixLength(ids: readonly bigint[], visionEndId: bigint): number {
  return ids.lastIndexOf(visionEndId) + 1;
}

/** Whether `ids` starts with `prefix` and goes on past it (the question's tokens must still be fed). */
export function continuesPrefix(ids: readonly bigint[], prefix: readonly bigint[]): boolean {
  if (prefix.length === 0 || ids.length <= prefix.length) return false;
  for (let index = 0; index < prefix.length; index++) if (ids[index] !== prefix[index]) return false;
  return true;
}
