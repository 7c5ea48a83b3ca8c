/**
 * Runs a task's items through a bounded pool (p-limit), skipping those the journal already holds and writing
 * each result (or the item's error) as soon as it finishes. Completion order may vary with concurrency; the
 * journal's records are read back in dataset order, so the summary does not.
 */
import pLimit from 'p-limit';
import type { Journal, JournalRecord } from './journal';
import type { Progress } from './progress';

export interface ErrorRecord extends JournalRecord {
  error: string;
}

export function isErrorRecord(record: JournalRecord): record is ErrorRecord {
  return typeof (record as Partial<ErrorRecord>).error === 'string';
}

export async function runItems<I extends { id: string }, R extends JournalRecord>(options: {
  items: readonly I[];
  journal: Journal<R | ErrorRecord>;
  concurrency: number;
  run(item: I, order: number): Promise<Omit<R, 'id' | 'order'>>;
  progress?: Progress;
}): Promise<void> {
  const { items, journal, concurrency, run, progress } = options;
  const limit = pLimit(Math.max(1, concurrency));
  await Promise.all(
    items.map((item, order) => {
      if (journal.has(item.id)) return Promise.resolve();
      return limit(async () => {
        let record: R | ErrorRecord;
        try {
          record = { id: item.id, order, ...(await run(item, order)) } as R;
        } catch (error) {
          record = { id: item.id, order, error: errorSentence(error) };
        }
        journal.append(record);
        progress?.tick();
      });
    }),
  );
}

/** One line for the record: the error's message without its stack. */
export function errorSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() || 'Unknown error.';
}
