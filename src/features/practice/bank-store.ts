/**
 * The question banks this browser keeps: the built-in demo bank (always first, never stored, never changed) and the
 * banks a teacher imported or authored, in the PRACTICE database's `banks` store (storage/schema.ts). A vanilla
 * zustand store so the Practice views share one list. The list in memory changes only after IndexedDB took the
 * write, so a failed save (a full disk, a blocked database) leaves every bank as it was and says why in `problem`.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { IDBPDatabase } from 'idb';
import { PRACTICE } from '../../storage/schema';
import { errorDetail } from '../../ui/error-sentence';
import { BANK_FORMAT, type Question, type QuestionBank } from './bank-schema';
import { DEMO_BANK } from './demo-bank';
import { openPracticeDb } from './practice-history';

/** Where questions authored "into the demo bank" go: the demo bank itself never changes. */
export const MY_QUESTIONS_BANK_ID = 'my-questions';
export const MY_QUESTIONS_TITLE = 'My questions';

export interface BankState {
  /** DEMO_BANK first, then the stored banks in the order they were first saved. */
  banks: QuestionBank[];
  loaded: boolean;
  /** A sentence for the panel when banks could not be read or written; nothing already saved is lost. */
  problem: string | null;
  load(): Promise<void>;
  /**
   * Saves a bank (a new one, or a new version of a bank with the same id). Rejects with a sentence (also put in
   * `problem`) when it could not be saved; the banks in memory and on disk are then unchanged.
   */
  save(bank: QuestionBank): Promise<void>;
  /** Deletes a stored bank; the demo bank cannot be deleted (rejects with a sentence). */
  remove(id: string): Promise<void>;
  /**
   * Adds one question to a bank. Adding to the demo bank adds to "My questions" instead (made on first use).
   * Rejects with a sentence when the bank is unknown, the id is taken there, or saving failed.
   */
  addQuestion(bankId: string, question: Question): Promise<void>;
  clearProblem(): void;
}

/** What is stored: the bank plus when it was first saved, so the list keeps its order across reloads. */
interface StoredBank extends QuestionBank {
  addedAt: number;
}

function isStoredBank(value: unknown): value is StoredBank {
  const record = value as Partial<StoredBank> | null;
  return !!record && typeof record.id === 'string' && typeof record.title === 'string' && Array.isArray(record.questions);
}

function toBank({ addedAt: _addedAt, ...bank }: StoredBank): QuestionBank {
  return bank;
}

/** A save's failure as a sentence: a full quota says what to do about it. */
export function saveFailureSentence(title: string, error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'QuotaExceededError' || /quota/i.test(errorDetail(error))) {
    return `The bank “${title}” was not saved: this browser's storage for PathoLens is full. Delete a bank or cached model files (Models tab), then try again; nothing saved before was lost.`;
  }
  return `The bank “${title}” was not saved (${errorDetail(error).replace(/\.$/, '')}); nothing saved before was lost. Try again.`;
}

export function createBankStore(openDb: () => Promise<IDBPDatabase> = openPracticeDb) {
  let db: Promise<IDBPDatabase> | null = null;
  const database = () => {
    db ??= openDb().catch((error: unknown) => {
      db = null;
      throw error;
    });
    return db;
  };
  /** When each stored bank was first saved (kept on a new version of the same bank). */
  const addedAt = new Map<string, number>();

  return createStore<BankState>()((set, get) => {
    const fail = (sentence: string): never => {
      set({ problem: sentence });
      throw new Error(sentence);
    };

    const write = async (bank: QuestionBank) => {
      const record: StoredBank = { ...bank, format: BANK_FORMAT, version: 1, addedAt: addedAt.get(bank.id) ?? Date.now() };
      try {
        const handle = await database();
        await handle.put(PRACTICE.banks, record);
      } catch (error) {
        fail(saveFailureSentence(bank.title, error));
      }
      addedAt.set(bank.id, record.addedAt);
      set((state) => {
        const at = state.banks.findIndex((b) => b.id === bank.id);
        const banks = at >= 0 ? state.banks.map((b, i) => (i === at ? toBank(record) : b)) : [...state.banks, toBank(record)];
        return { banks, problem: null };
      });
    };

    return {
      banks: [DEMO_BANK],
      loaded: false,
      problem: null,
      async load() {
        try {
          const handle = await database();
          const rows = ((await handle.getAll(PRACTICE.banks)) as unknown[]).filter(isStoredBank).filter((b) => b.id !== DEMO_BANK.id);
          rows.sort((a, b) => (a.addedAt ?? 0) - (b.addedAt ?? 0));
          for (const row of rows) addedAt.set(row.id, row.addedAt ?? 0);
          set({ banks: [DEMO_BANK, ...rows.map(toBank)], loaded: true, problem: null });
        } catch (error) {
          set({
            banks: [DEMO_BANK],
            loaded: true,
            problem: `Your question banks could not be read (${errorDetail(error).replace(/\.$/, '')}); the demo bank is here, and nothing was deleted. Reload to try again.`,
          });
        }
      },
      async save(bank) {
        if (bank.id === DEMO_BANK.id) fail(`The built-in demo bank cannot be replaced; give “${bank.title}” another id.`);
        await write(bank);
      },
      async remove(id) {
        if (id === DEMO_BANK.id) fail('The built-in demo bank cannot be deleted.');
        try {
          const handle = await database();
          await handle.delete(PRACTICE.banks, id);
        } catch (error) {
          fail(`The bank could not be deleted (${errorDetail(error).replace(/\.$/, '')}). Try again.`);
        }
        addedAt.delete(id);
        set((state) => ({ banks: state.banks.filter((b) => b.id !== id), problem: null }));
      },
      async addQuestion(bankId, question) {
        const targetId = bankId === DEMO_BANK.id ? MY_QUESTIONS_BANK_ID : bankId;
        const existing = get().banks.find((b) => b.id === targetId);
        if (!existing && targetId !== MY_QUESTIONS_BANK_ID) fail(`There is no bank with id “${bankId}” here; choose another bank.`);
        const bank: QuestionBank = existing ?? { format: BANK_FORMAT, version: 1, id: MY_QUESTIONS_BANK_ID, title: MY_QUESTIONS_TITLE, questions: [] };
        if (bank.questions.some((q) => q.id === question.id))
          fail(`The bank “${bank.title}” already has a question with id “${question.id}”; give this one another id.`);
        await write({ ...bank, questions: [...bank.questions, question] });
      },
      clearProblem: () => set({ problem: null }),
    };
  });
}

export const bankStore = createBankStore();

export function useBankStore<T>(selector: (state: BankState) => T): T {
  return useStore(bankStore, selector);
}
