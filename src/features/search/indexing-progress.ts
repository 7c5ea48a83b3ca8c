/** Progress of indexing a slide as the panel shows it: tiles done of total, tiles per second and time left. Pure. */

export interface IndexingProgress {
  phase: 'finding tissue' | 'embedding';
  done: number;
  total: number;
  /** Null until the first batch is done. */
  tilesPerSecond: number | null;
  secondsLeft: number | null;
}

/** Progress after `done` of `total` tiles, embedding having started at `startedMs`. */
export function embeddingProgress(done: number, total: number, startedMs: number, nowMs: number): IndexingProgress {
  const seconds = (nowMs - startedMs) / 1000;
  const tilesPerSecond = done > 0 && seconds > 0 ? done / seconds : null;
  return { phase: 'embedding', done, total, tilesPerSecond, secondsLeft: tilesPerSecond ? (total - done) / tilesPerSecond : null };
}

/** "45 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

export function describeProgress(progress: IndexingProgress): string {
  if (progress.phase === 'finding tissue') return 'Finding tissue on a low-resolution level…';
  const rate = progress.tilesPerSecond === null ? '' : `, ${progress.tilesPerSecond.toFixed(progress.tilesPerSecond < 10 ? 1 : 0)} tiles/s`;
  const left = progress.secondsLeft === null ? '' : `, about ${formatDuration(progress.secondsLeft)} left`;
  return `${progress.done.toLocaleString('en')} / ${progress.total.toLocaleString('en')} tiles${rate}${left}`;
}
