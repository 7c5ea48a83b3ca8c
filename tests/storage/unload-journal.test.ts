/**
 * Nothing lost when a page closes mid-answer: the answer sync writes the answers, the streaming one included, to
 * the unload journal at `pagehide`; the next load takes it when it is newer than IndexedDB's record, brings the
 * unfinished answer back stopped and writes it through. A full storage (QuotaExceededError) is said as a sentence
 * and what was saved before stays.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { indexedDbAnswerPersistence, syncAnswersWithSlide, type AnswerPersistence } from '../../src/features/ask/answer-db';
import { createAskStore, type AskAnswer } from '../../src/features/ask/ask-store';
import { indexedDbPerSlideList, unloadJournalKey, type JournalStorage } from '../../src/storage/per-slide-db';
import { SLIDE_ANSWERS } from '../../src/storage/schema';
import { isQuotaExceeded, storageWriteSentence } from '../../src/storage/storage-errors';

function memoryStorage(): JournalStorage & { keys(): string[] } {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
    keys: () => [...values.keys()],
  };
}

const answer = (id: number, patch: Partial<AskAnswer> = {}): AskAnswer => ({
  id,
  conversationId: 'c1',
  roiId: 'roi-1',
  question: `Q${id}`,
  options: [],
  chainOfDraft: false,
  reply: '<answer>A</answer>',
  reasoning: '',
  answer: 'A',
  reasoningClosed: false,
  status: 'done',
  backend: 'WASM · q4',
  regionNote: '',
  createdAt: 1,
  ...patch,
});

function pageHideEvents() {
  const listeners = new Set<() => void>();
  return {
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    fire: () => listeners.forEach((listener) => listener()),
  };
}

describe('unload journal', () => {
  it('a page closed while an answer streams: the finished answers and the partial one come back, the partial one stopped', async () => {
    const dbName = `journal-${Math.random()}`;
    const journal = memoryStorage();
    const persistence: AnswerPersistence = indexedDbAnswerPersistence(dbName, journal);
    const slide = createStore<{ identity: string | null }>()(() => ({ identity: 'slide-a' }));
    const ask = createAskStore();
    const pageHide = pageHideEvents();
    const stop = syncAnswersWithSlide({
      persistence,
      currentSlideIdentity: () => slide.getState().identity,
      subscribeToSlide: (listener) => slide.subscribe(listener),
      getAnswers: () => ask.getState().answers,
      subscribeToAnswers: (listener) => ask.subscribe(listener),
      restore: (answers) => ask.getState().restore(answers),
      reportError: () => undefined,
      // Throttled far beyond the test: only the page-hide path can save the streamed text.
      saveEveryMs: 3_600_000,
      isAnswering: () => true,
      subscribeToPageHide: pageHide.subscribe,
    });
    await expect.poll(async () => (await persistence.load('slide-a')).length).toBe(0);
    ask.getState().restore([answer(1), answer(2, { status: 'streaming', reply: '<think>The glands are crowded', reasoning: 'The glands are crowded' })]);
    pageHide.fire(); // the page goes; nothing after this line runs in a real page
    // What a fresh page sees: a new persistence on the same database and journal.
    const next = indexedDbAnswerPersistence(dbName, journal);
    const restored = await next.load('slide-a');
    expect(restored.map((entry) => [entry.id, entry.status, entry.reasoning])).toEqual([
      [1, 'done', ''],
      [2, 'stopped', 'The glands are crowded'],
    ]);
    stop();
  });

  it('a page closed with everything saved writes no journal (stale journals cannot pile up in localStorage)', async () => {
    const dbName = `journal-${Math.random()}`;
    const journal = memoryStorage();
    const persistence = indexedDbAnswerPersistence(dbName, journal);
    const slide = createStore<{ identity: string | null }>()(() => ({ identity: 'slide-a' }));
    const ask = createAskStore();
    const pageHide = pageHideEvents();
    const stop = syncAnswersWithSlide({
      persistence,
      currentSlideIdentity: () => slide.getState().identity,
      subscribeToSlide: (listener) => slide.subscribe(listener),
      getAnswers: () => ask.getState().answers,
      subscribeToAnswers: (listener) => ask.subscribe(listener),
      restore: (answers) => ask.getState().restore(answers),
      reportError: () => undefined,
      isAnswering: () => false,
      subscribeToPageHide: pageHide.subscribe,
    });
    await expect.poll(async () => (await persistence.load('slide-a')).length).toBe(0);
    ask.getState().restore([answer(1)]);
    await expect.poll(async () => (await persistence.load('slide-a')).length).toBe(1);
    pageHide.fire();
    expect(journal.keys()).toEqual([]);
    stop();
  });

  it('the journal wins only when newer than the record; it is written through to IndexedDB and removed', async () => {
    const dbName = `journal-${Math.random()}`;
    const journal = memoryStorage();
    const list = indexedDbAnswerPersistence(dbName, journal);
    list.saveBeforeUnload!('slide-a', [answer(1, { status: 'streaming', answer: 'partial' })]);
    expect(journal.keys()).toEqual([unloadJournalKey(dbName, SLIDE_ANSWERS.storeName, 'slide-a')]);
    expect((await list.load('slide-a')).map((entry) => [entry.answer, entry.status])).toEqual([['partial', 'stopped']]);
    expect(journal.keys()).toEqual([]);
    // Written through: another page without the journal reads it from IndexedDB.
    expect((await indexedDbAnswerPersistence(dbName, memoryStorage()).load('slide-a')).map((entry) => entry.answer)).toEqual(['partial']);

    // A journal older than the record (the page came back from the back/forward cache and saved again) is dropped.
    list.saveBeforeUnload!('slide-a', [answer(1, { answer: 'old' })]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await list.save('slide-a', [answer(1, { answer: 'new' }), answer(2)]);
    expect((await list.load('slide-a')).map((entry) => entry.answer)).toEqual(['new', 'A']);
    expect(journal.keys()).toEqual([]);
  });

  it('a damaged journal is ignored and a full localStorage never breaks the save', async () => {
    const dbName = `journal-${Math.random()}`;
    const journal = memoryStorage();
    journal.setItem(unloadJournalKey(dbName, SLIDE_ANSWERS.storeName, 'slide-a'), '{not json');
    const list = indexedDbPerSlideList<AskAnswer>({ ...SLIDE_ANSWERS, dbName, isItem: (value): value is AskAnswer => typeof value === 'object', journal });
    await list.save('slide-a', [answer(1)]);
    expect(await list.load('slide-a')).toHaveLength(1);
    const full: JournalStorage = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const unlucky = indexedDbPerSlideList<AskAnswer>({
      ...SLIDE_ANSWERS,
      dbName,
      isItem: (value): value is AskAnswer => typeof value === 'object',
      journal: full,
    });
    expect(() => unlucky.saveBeforeUnload!('slide-a', [answer(1)])).not.toThrow();
  });
});

describe('storage quota', () => {
  it('a QuotaExceededError is said as a full storage; what was saved before is still there and nothing leaves the page', async () => {
    const dbName = `quota-${Math.random()}`;
    const real = indexedDbAnswerPersistence(dbName, memoryStorage());
    let full = false;
    const persistence: AnswerPersistence = {
      load: (identity) => real.load(identity),
      save: async (identity, items) => {
        if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        await real.save(identity, items);
      },
    };
    const slide = createStore<{ identity: string | null }>()(() => ({ identity: 'slide-a' }));
    const ask = createAskStore();
    const errors: string[] = [];
    const stop = syncAnswersWithSlide({
      persistence,
      currentSlideIdentity: () => slide.getState().identity,
      subscribeToSlide: (listener) => slide.subscribe(listener),
      getAnswers: () => ask.getState().answers,
      subscribeToAnswers: (listener) => ask.subscribe(listener),
      restore: (answers) => ask.getState().restore(answers),
      reportError: (sentence) => errors.push(sentence),
      isAnswering: () => false,
      subscribeToPageHide: () => () => undefined,
    });
    await expect.poll(async () => (await real.load('slide-a')).length).toBe(0);
    ask.getState().restore([answer(1)]);
    await expect.poll(async () => (await real.load('slide-a')).length).toBe(1);
    full = true;
    ask.getState().restore([answer(1), answer(2)]);
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toMatch(/^The answers of this slide could not be saved: this browser's storage for PathoLens is full\. What was saved before is kept/);
    expect((await real.load('slide-a')).map((entry) => entry.id)).toEqual([1]);
    expect(ask.getState().answers.map((entry) => entry.id)).toEqual([1, 2]);
    stop();
  });

  it('recognises the quota however the browser reports it', () => {
    expect(isQuotaExceeded(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaExceeded({ name: 'AbortError', error: new DOMException('x', 'QuotaExceededError') })).toBe(true);
    expect(isQuotaExceeded(new Error('Transaction aborted: quota exceeded'))).toBe(true);
    expect(isQuotaExceeded(new Error('the disk broke'))).toBe(false);
    expect(storageWriteSentence('the regions of this slide', new Error('the disk broke.'))).toBe(
      'The regions of this slide could not be saved: the disk broke. What was saved before is kept; the newest changes stay until you reload the page.',
    );
  });
});
