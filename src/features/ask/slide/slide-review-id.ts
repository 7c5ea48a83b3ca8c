/**
 * The id of the review of an "Ask the slide" answer: the slide (a short hash of its identity, which may be a long
 * URL) and the answer's creation time. Both survive a session file's round trip, where the answer's number does not
 * (an import renumbers answers after those already here).
 */
export function slideReviewId(answer: { slideIdentity: string; createdAt: number }): string {
  // FNV-1a, 32-bit: a stable, short name for the slide; the creation time tells its answers apart.
  let hash = 0x811c9dc5;
  for (let index = 0; index < answer.slideIdentity.length; index++) {
    hash ^= answer.slideIdentity.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `ask-slide:${hash.toString(16).padStart(8, '0')}:${answer.createdAt}`;
}
