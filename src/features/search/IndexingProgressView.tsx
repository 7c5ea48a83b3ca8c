import type { ReactNode } from 'react';
import { describeProgress, type IndexingProgress } from './indexing-progress';

/** A slide being indexed: the bar (indeterminate while reading the overview), the sentence and a cancel. Search and Ask show it. */
export function IndexingProgressView({
  progress,
  onCancel,
  progressTestId,
  compact = false,
  children,
}: {
  progress: IndexingProgress;
  onCancel(): void;
  progressTestId: string;
  /** Smaller type, for a panel where indexing is a side step (Ask). */
  compact?: boolean;
  /** Shown above the bar. */
  children?: ReactNode;
}) {
  return (
    <section aria-label="Slide index" className={compact ? 'space-y-1 text-xs' : 'space-y-2'}>
      {children}
      <progress
        className="w-full"
        aria-label="Indexing progress"
        max={Math.max(1, progress.total)}
        value={progress.phase === 'embedding' ? progress.done : undefined}
      />
      <p role="status" data-testid={progressTestId}>
        {describeProgress(progress)}
      </p>
      <button type="button" className={`rounded border border-slate-300 ${compact ? 'px-2 py-0.5' : 'px-3 py-1'}`} onClick={onCancel}>
        Cancel indexing
      </button>
    </section>
  );
}
