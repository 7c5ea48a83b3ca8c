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

/**
 * Whether the reader moved up since the thread last scrolled itself to `autoScrolledTo`.
 * Checked when new text arrives, because the browser reports a scroll only at the next frame: a token arriving
 * between the reader's scroll and its event must not drag them back down.
 */
export function readerScrolledUp(metrics: ScrollMetrics, autoScrolledTo: number | null): boolean {
  if (autoScrolledTo === null) return false;
  return metrics.scrollTop < autoScrolledTo - SLACK && !isAtBottom(metrics);
}
