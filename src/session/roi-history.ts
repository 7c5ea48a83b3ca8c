/**
 * Undo and redo over whole snapshots of a slide's regions. Snapshots are immutable arrays that share unchanged
 * regions, so keeping a hundred costs little, and an undone delete brings back the very same region (same id, so
 * answers filed under that id show again). Pure.
 */
export interface History<T> {
  past: readonly T[];
  future: readonly T[];
}

/** Steps kept; older ones are dropped. */
export const HISTORY_LIMIT = 100;

export const emptyHistory = <T>(): History<T> => ({ past: [], future: [] });

/** Records `before` as the state a change left: it can be undone; whatever was undone can no longer be redone. */
export function recordChange<T>(history: History<T>, before: T): History<T> {
  return { past: [...history.past, before].slice(-HISTORY_LIMIT), future: [] };
}

/** Steps back from `present`: the state to show and the history after; null when there is nothing to undo. */
export function undo<T>(history: History<T>, present: T): { state: T; history: History<T> } | null {
  const previous = history.past[history.past.length - 1];
  if (previous === undefined) return null;
  return { state: previous, history: { past: history.past.slice(0, -1), future: [present, ...history.future] } };
}

export function redo<T>(history: History<T>, present: T): { state: T; history: History<T> } | null {
  const next = history.future[0];
  if (next === undefined) return null;
  return { state: next, history: { past: [...history.past, present], future: history.future.slice(1) } };
}
