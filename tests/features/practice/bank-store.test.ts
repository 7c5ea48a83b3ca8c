import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteDB, type IDBPDatabase } from 'idb';
import { PRACTICE } from '../../../src/storage/schema';
import { BANK_FORMAT, type Question, type QuestionBank } from '../../../src/features/practice/bank-schema';
import { createBankStore, MY_QUESTIONS_BANK_ID, saveFailureSentence } from '../../../src/features/practice/bank-store';
import { DEMO_BANK } from '../../../src/features/practice/demo-bank';
import { openPracticeDb } from '../../../src/features/practice/practice-history';

const question = (id: string): Question => ({
  id,
  stem: `What is ${id}?`,
  options: ['One', 'Two'],
  answer: 1,
  explanation: 'Because.',
  tags: ['t'],
  image: { kind: 'slide-region', slide: 'demo', region: { x: 10, y: 20, width: 300, height: 200 } },
});
const bank = (id: string, title: string, questions: Question[] = [question(`${id}-q1`)]): QuestionBank => ({
  format: BANK_FORMAT,
  version: 1,
  id,
  title,
  questions,
});

const opened: IDBPDatabase[] = [];
const openDb = async () => {
  const db = await openPracticeDb();
  opened.push(db);
  return db;
};

afterEach(async () => {
  for (const db of opened.splice(0)) db.close();
  await deleteDB(PRACTICE.dbName);
});

/** A database whose writes fail as a full disk makes them fail (reads work). */
function fullDiskDb(db: IDBPDatabase): IDBPDatabase {
  return new Proxy(db, {
    get(target, key, receiver) {
      if (key === 'put') return () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('bankStore', () => {
  it('starts with the demo bank and keeps saved banks across a reload, in the order they were saved', async () => {
    const store = createBankStore(openDb);
    expect(store.getState().banks).toEqual([DEMO_BANK]);
    await store.getState().load();
    expect(store.getState()).toMatchObject({ loaded: true, problem: null });
    await store.getState().save(bank('zeta', 'Zeta'));
    await store.getState().save(bank('alpha', 'Alpha'));
    expect(store.getState().banks.map((b) => b.id)).toEqual(['demo', 'zeta', 'alpha']);

    const reloaded = createBankStore(openDb);
    await reloaded.getState().load();
    expect(reloaded.getState().banks.map((b) => b.id)).toEqual(['demo', 'zeta', 'alpha']);
    // What comes back is the bank as saved (no bookkeeping fields).
    expect(reloaded.getState().banks[1]).toEqual(bank('zeta', 'Zeta'));
  });

  it('replaces a bank saved again under the same id, keeping its place', async () => {
    const store = createBankStore(openDb);
    await store.getState().load();
    await store.getState().save(bank('a', 'A'));
    await store.getState().save(bank('b', 'B'));
    await store.getState().save(bank('a', 'A, second edition', [question('x'), question('y')]));
    const reloaded = createBankStore(openDb);
    await reloaded.getState().load();
    expect(reloaded.getState().banks.map((b) => [b.id, b.title, b.questions.length])).toEqual([
      ['demo', DEMO_BANK.title, 3],
      ['a', 'A, second edition', 2],
      ['b', 'B', 1],
    ]);
  });

  it('never changes, replaces or deletes the demo bank', async () => {
    const store = createBankStore(openDb);
    await store.getState().load();
    await expect(store.getState().remove('demo')).rejects.toThrow('The built-in demo bank cannot be deleted.');
    await expect(store.getState().save(bank('demo', 'Mine'))).rejects.toThrow(/demo bank cannot be replaced/);
    expect(store.getState().problem).toMatch(/demo bank cannot be replaced/);
    expect(store.getState().banks).toEqual([DEMO_BANK]);
    expect(DEMO_BANK.questions).toHaveLength(3);
  });

  it('adds a question meant for the demo bank to "My questions", made on first use', async () => {
    const store = createBankStore(openDb);
    await store.getState().load();
    await store.getState().addQuestion('demo', question('first'));
    await store.getState().addQuestion('demo', question('second'));
    await store.getState().addQuestion(MY_QUESTIONS_BANK_ID, question('third'));
    expect(DEMO_BANK.questions).toHaveLength(3);
    const reloaded = createBankStore(openDb);
    await reloaded.getState().load();
    const mine = reloaded.getState().banks.find((b) => b.id === MY_QUESTIONS_BANK_ID);
    expect(mine?.title).toBe('My questions');
    expect(mine?.questions.map((q) => q.id)).toEqual(['first', 'second', 'third']);
    expect(mine?.questions[0]).toEqual(question('first'));
  });

  it('adds to a chosen bank, and refuses an unknown bank or an id already in the bank', async () => {
    const store = createBankStore(openDb);
    await store.getState().load();
    await store.getState().save(bank('liver', 'Liver'));
    await store.getState().addQuestion('liver', question('q2'));
    expect(
      store
        .getState()
        .banks.find((b) => b.id === 'liver')
        ?.questions.map((q) => q.id),
    ).toEqual(['liver-q1', 'q2']);
    await expect(store.getState().addQuestion('liver', question('q2'))).rejects.toThrow(
      'The bank “Liver” already has a question with id “q2”; give this one another id.',
    );
    await expect(store.getState().addQuestion('nowhere', question('q3'))).rejects.toThrow(/no bank with id “nowhere”/);
    expect(store.getState().banks.find((b) => b.id === 'liver')?.questions).toHaveLength(2);
  });

  it('deletes a bank for good', async () => {
    const store = createBankStore(openDb);
    await store.getState().load();
    await store.getState().save(bank('a', 'A'));
    await store.getState().save(bank('b', 'B'));
    await store.getState().remove('a');
    expect(store.getState().banks.map((b) => b.id)).toEqual(['demo', 'b']);
    const reloaded = createBankStore(openDb);
    await reloaded.getState().load();
    expect(reloaded.getState().banks.map((b) => b.id)).toEqual(['demo', 'b']);
  });

  it('says so when the disk is full and loses nothing: the list and the saved banks stay as they were', async () => {
    const store = createBankStore(openDb);
    await store.getState().load();
    await store.getState().save(bank('kept', 'Kept'));

    const full = createBankStore(async () => fullDiskDb(await openDb()));
    await full.getState().load();
    const before = full.getState().banks;
    await expect(full.getState().save(bank('new', 'New bank'))).rejects.toThrow(/“New bank” was not saved: this browser's storage for PathoLens is full/);
    await expect(full.getState().addQuestion('kept', question('more'))).rejects.toThrow(/“Kept” was not saved/);
    expect(full.getState().banks).toBe(before);
    expect(full.getState().problem).toMatch(/nothing saved before was lost/);

    const reloaded = createBankStore(openDb);
    await reloaded.getState().load();
    expect(reloaded.getState().banks.map((b) => [b.id, b.questions.length])).toEqual([
      ['demo', 3],
      ['kept', 1],
    ]);
  });

  it('keeps the demo bank and says why when the database cannot be opened', async () => {
    const store = createBankStore(() => Promise.reject(new Error('The database connection is closing.')));
    await store.getState().load();
    expect(store.getState().banks).toEqual([DEMO_BANK]);
    expect(store.getState().loaded).toBe(true);
    expect(store.getState().problem).toBe(
      'Your question banks could not be read (The database connection is closing); the demo bank is here, and nothing was deleted. Reload to try again.',
    );
  });

  it('words other save failures as a sentence too', () => {
    expect(saveFailureSentence('B', new Error('Transaction aborted.'))).toBe(
      'The bank “B” was not saved (Transaction aborted); nothing saved before was lost. Try again.',
    );
  });
});
