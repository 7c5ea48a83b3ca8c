/** The append-only record journal: torn tails cut, nothing counted twice, records back in dataset order. */
import { appendFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Journal, type JournalRecord } from '../../eval/journal';

interface Answer extends JournalRecord {
  reply: string;
}

const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), 'journal-')), 'records.jsonl');

describe('Journal', () => {
  it('keeps the first record of an id and returns records in dataset order', () => {
    const file = fresh();
    const journal = Journal.open<Answer>(file);
    journal.append({ id: 'b', order: 1, reply: 'first' });
    journal.append({ id: 'a', order: 0, reply: 'é' });
    journal.append({ id: 'b', order: 1, reply: 'second' });
    journal.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    const reopened = Journal.open<Answer>(file);
    expect(reopened.records().map((record) => record.reply)).toEqual(['é', 'first']);
    reopened.close();
  });

  it('a kill at any byte loses at most the record being written, and the next append starts on a fresh line', () => {
    const records: Answer[] = Array.from({ length: 6 }, (_, index) => ({ id: `q${index}`, order: index, reply: `Sézary ${'x'.repeat(index)} → ${index}` }));
    const whole = `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
    const size = Buffer.byteLength(whole);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: size }), (cut) => {
        const file = fresh();
        writeFileSync(file, whole);
        truncateSync(file, cut);
        const journal = Journal.open<Answer>(file);
        const kept = journal.records();
        // Every kept record is whole and equal to the one written; only the torn tail is gone.
        expect(kept).toEqual(records.slice(0, kept.length));
        expect(kept).toHaveLength(
          Buffer.from(whole)
            .subarray(0, cut)
            .filter((byte) => byte === 0x0a).length,
        );
        for (const record of records) journal.append(record);
        journal.close();
        const lines = readFileSync(file, 'utf8').trim().split('\n');
        expect(lines.map((line) => JSON.parse(line) as Answer)).toEqual(records);
      }),
      { numRuns: 60 },
    );
  });

  it('a retryable record (an item that failed) runs again, and its new record replaces it across reopenings', () => {
    const file = fresh();
    type Maybe = Answer & { error?: string };
    const failed = (record: Maybe) => record.error !== undefined;
    const first = Journal.open<Maybe>(file, failed);
    first.append({ id: 'a', order: 0, reply: '', error: 'The image cannot be read.' });
    first.append({ id: 'b', order: 1, reply: 'B' });
    expect([first.has('a'), first.has('b')]).toEqual([false, true]);
    first.close();
    const second = Journal.open<Maybe>(file, failed);
    expect(second.has('a')).toBe(false);
    second.append({ id: 'a', order: 0, reply: 'A' });
    second.append({ id: 'a', order: 0, reply: 'again' });
    second.close();
    const third = Journal.open<Maybe>(file, failed);
    expect(third.records()).toEqual([
      { id: 'a', order: 0, reply: 'A' },
      { id: 'b', order: 1, reply: 'B' },
    ]);
    third.close();
  });

  it('a file whose complete lines are not JSON is refused, not silently skipped', () => {
    const file = fresh();
    appendFileSync(file, 'not json\n');
    expect(() => Journal.open(file)).toThrow();
  });
});
