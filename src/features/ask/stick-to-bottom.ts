/**
 * Auto-scroll like a chat assistant's: the thread follows the newest text while the reader is at the bottom,
 * and stays where they are once they scroll up to read something older (until they come back down).
 */
export interface ScrollMetrics {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

/** Pixels from the bottom still counted as "at the bottom" (rounding, a line being added). */
const SLACK = 24;

export function isAtBottom({ scrollTop, scrollHeight, clientHeight }: ScrollMetrics): boolean {
  return scrollHeight - scrollTop - clientHeight <= SLACK;
}
