/**
 * What a failed IndexedDB or localStorage write means to a person. A full disk or a used-up origin quota
 * (QuotaExceededError, also reported by some browsers as an AbortError whose transaction error is the quota) is
 * said as such, with what to do; a failed write never removes what was stored before (IndexedDB rolls back the
 * whole transaction), so the sentence says so.
 */

/** True when `error` (a DOMException, an idb error, or an aborted transaction's error) is the storage quota. */
export function isQuotaExceeded(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const named = error as { name?: unknown; code?: unknown; message?: unknown; error?: unknown; cause?: unknown };
  if (named.name === 'QuotaExceededError' || named.code === 22 || named.name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  if (typeof named.message === 'string' && /quota/i.test(named.message)) return true;
  return isQuotaExceeded(named.error) || isQuotaExceeded(named.cause);
}

/**
 * One sentence for a write that failed: `what` is the thing that was not saved ("the answers of this slide").
 * `keptUntil` says how long the unsaved part survives (default: until the page is reloaded).
 */
export function storageWriteSentence(what: string, error: unknown, keptUntil = 'until you reload the page'): string {
  const capital = what.charAt(0).toUpperCase() + what.slice(1);
  if (isQuotaExceeded(error)) {
    return (
      `${capital} could not be saved: this browser's storage for PathoLens is full. What was saved before is kept; ` +
      `the newest changes stay ${keptUntil}. Free space for this site (clear other sites' data, or this site's cached ` +
      'models in the browser settings) and they are saved with your next change.'
    );
  }
  const detail = error instanceof Error ? error.message.trim() || error.name : typeof error === 'string' ? error : '';
  return `${capital} could not be saved${detail ? `: ${detail.replace(/[.\s]+$/, '')}` : ''}. What was saved before is kept; the newest changes stay ${keptUntil}.`;
}
