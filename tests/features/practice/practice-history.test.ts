import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteDB, type IDBPDatabase } from 'idb';
import { PRACTICE } from '../../../src/storage/schema';
import {
  cardKey,
  exportProgress,
  importProgress,
  listAttempts,
  openPracticeDb,
  recordAttempt,
  reviewCards,
  type Attempt,
} from '../../../src/features/practice/practice-history';
import { dueForReview } from '../../../src/features/practice/review-schedule';

const at = (id: string, questionId: string, correct: boolean, answeredAt: Date): Attempt => ({
  id,
  bankId: 'demo',
  questionId,
  chosen: correct ? 0 : 2,
  correct,
  grade: correct ? 'good' : 'again',
  mode: 'practice',
  answeredAt: answeredAt.getTime(),
});

let db: IDBPDatabase | undefined;
afterEach(async () => {
  db?.close();
  await deleteDB(PRACTICE.dbName);
});

describe('practice history (IndexedDB)', () => {
  it('keeps attempts and review cards across a reopen; a missed question is due first', async () => {
    const t0 = new Date(2026, 5, 1, 10, 0, 0);
    db = await openPracticeDb();
    await recordAttempt(db, at('a1', 'demo-nuclei', false, t0));
    await recordAttempt(db, at('a2', 'demo-glass', true, t0));
    db.close();
    db = await openPracticeDb();
    expect((await listAttempts(db)).map((a) => a.id)).toEqual(['a1', 'a2']);
    const cards = await reviewCards(db);
    expect(Object.keys(cards).sort()).toEqual([cardKey('demo', 'demo-glass'), cardKey('demo', 'demo-nuclei')]);
    // FSRS learning steps: Again comes back after 1 minute, Good after 10, so at 5 minutes only the miss is due.
    const soon = new Date(t0.getTime() + 5 * 60 * 1000);
    expect(dueForReview(cards, soon)).toEqual([cardKey('demo', 'demo-nuclei')]);
    db.close();
  });

  it('exports and imports progress into another browser, merging without loss', async () => {
    const t0 = new Date(2026, 5, 1, 10, 0, 0);
    db = await openPracticeDb();
    await recordAttempt(db, at('a1', 'demo-nuclei', false, t0));
    const file = await exportProgress(db);
    const before = await reviewCards(db);
    db.close();
    await deleteDB(PRACTICE.dbName);
    db = await openPracticeDb();
    await recordAttempt(db, at('b1', 'demo-glass', true, t0));
    expect(await importProgress(db, file)).toBe(1);
    expect(await importProgress(db, file)).toBe(0);
    expect((await listAttempts(db)).map((a) => a.id).sort()).toEqual(['a1', 'b1']);
    expect((await listAttempts(db))[0]?.answeredAt).toBe(t0.getTime());
    expect((await reviewCards(db))[cardKey('demo', 'demo-nuclei')]).toEqual(before[cardKey('demo', 'demo-nuclei')]);
    await expect(importProgress(db, '{}')).rejects.toThrow(/not a PathoLens progress file/);
    await expect(importProgress(db, 'nope')).rejects.toThrow(/not valid JSON/);
    db.close();
  });
});
