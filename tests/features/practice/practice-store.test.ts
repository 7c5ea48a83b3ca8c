import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteDB } from 'idb';
import { PRACTICE } from '../../../src/storage/schema';
import { openPracticeDb, type Attempt } from '../../../src/features/practice/practice-history';
import { createPracticeHistoryStore } from '../../../src/features/practice/practice-store';

const attempt = (id: string, questionId: string, correct: boolean): Attempt => ({
  id,
  bankId: 'demo',
  questionId,
  chosen: correct ? 0 : 1,
  correct,
  grade: correct ? 'good' : 'again',
  mode: 'practice',
  answeredAt: Date.UTC(2026, 0, 1, 9),
});

const stores: ReturnType<typeof createPracticeHistoryStore>[] = [];
function newStore(...args: Parameters<typeof createPracticeHistoryStore>) {
  const store = createPracticeHistoryStore(...args);
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.getState().close();
  await deleteDB(PRACTICE.dbName);
});

describe('practice history store', () => {
  it('keeps answers and cards in step with IndexedDB, and a new store (a reload) reads them back', async () => {
    const store = newStore();
    await store.getState().load();
    expect(store.getState()).toMatchObject({ loaded: true, attempts: [], cards: {}, error: null });
    const card = await store.getState().record(attempt('1', 'demo-nuclei', false));
    expect(card?.reps).toBe(1);
    expect(Object.keys(store.getState().cards)).toEqual(['demo/demo-nuclei']);

    const reloaded = newStore();
    await reloaded.getState().load();
    expect(reloaded.getState().attempts.map((a) => a.id)).toEqual(['1']);
    expect(reloaded.getState().cards['demo/demo-nuclei']?.reps).toBe(1);
  });

  it('an imported progress file is merged and shown; a bad one is refused with a sentence and changes nothing', async () => {
    const source = newStore();
    await source.getState().record(attempt('a', 'demo-glass', true));
    const text = await source.getState().exportText();
    await source.getState().close();
    await deleteDB(PRACTICE.dbName);

    const store = newStore();
    await store.getState().record(attempt('b', 'demo-stroma', true));
    expect(await store.getState().importText(text)).toBe(1);
    expect(
      store
        .getState()
        .attempts.map((a) => a.id)
        .sort(),
    ).toEqual(['a', 'b']);
    await expect(store.getState().importText('{"format":"something else"}')).rejects.toThrow(/not a PathoLens progress file/);
    expect(store.getState().attempts).toHaveLength(2);
  });

  it('a database that cannot be opened is a sentence, and a later try opens it again', async () => {
    let fail = true;
    const store = newStore(() => (fail ? Promise.reject(new Error('IndexedDB is disabled in this browser')) : openPracticeDb()));
    await store.getState().load();
    expect(store.getState().error).toBe(
      'Your practice history could not be read (IndexedDB is disabled in this browser); answers still count but may not be kept.',
    );
    expect(await store.getState().record(attempt('1', 'q', true))).toBeNull();
    expect(store.getState().error).toMatch(/^This answer could not be saved to your history \(IndexedDB is disabled/);
    fail = false;
    store.getState().clearError();
    expect(await store.getState().record(attempt('2', 'q', true))).not.toBeNull();
    expect(store.getState().attempts.map((a) => a.id)).toEqual(['2']);
  });
});
