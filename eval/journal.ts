/**
 * The run's per-item records: an append-only JSONL file, each record written whole and fsync'd before the next
 * item counts as done, so a run killed at any point loses at most the item in flight. On reopening, a torn last
 * line (the kill landed mid-write) is cut off and that item runs again; a record already present is never run
 * or counted twice (records are keyed by item id). A record the caller calls retryable (an item's error: a
 * server timeout, an image added since) runs again on the next run, and its new record replaces it.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';

export interface JournalRecord {
  /** The item's stable id (from the dataset). */
  id: string;
  /** The item's position in the dataset, which orders the summary whatever order records were written in. */
  order: number;
}

export class Journal<R extends JournalRecord> {
  private readonly done = new Map<string, R>();
  private fd: number | null = null;

  private constructor(
    readonly file: string,
    private readonly retryable: (record: R) => boolean,
  ) {}

  /** Opens (or creates) the journal, reading the records already there and cutting a torn tail. */
  static open<R extends JournalRecord>(file: string, retryable: (record: R) => boolean = () => false): Journal<R> {
    const journal = new Journal<R>(file, retryable);
    if (existsSync(file)) {
      // Bytes, not text: a kill can tear a multi-byte character too.
      const bytes = readFileSync(file);
      const complete = bytes.lastIndexOf(0x0a) + 1;
      if (complete < bytes.length) truncateSync(file, complete);
      for (const line of bytes.subarray(0, complete).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        const record = JSON.parse(line) as R;
        // A later line for the same id is a retry of a retryable record; a finished record is never replaced.
        if (!journal.has(record.id)) journal.done.set(record.id, record);
      }
    }
    journal.fd = openSync(file, 'a');
    return journal;
  }

  /** True when the item is finished: it has a record that is not retryable. */
  has(id: string): boolean {
    const record = this.done.get(id);
    return record !== undefined && !this.retryable(record);
  }

  /** Writes one record and waits for the disk; a record for a finished item is ignored. */
  append(record: R): void {
    if (this.fd === null) throw new Error('The journal is closed.');
    if (this.has(record.id)) return;
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.fd);
    this.done.set(record.id, record);
  }

  /** Every record, in dataset order. */
  records(): R[] {
    return [...this.done.values()].sort((a, b) => a.order - b.order);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
