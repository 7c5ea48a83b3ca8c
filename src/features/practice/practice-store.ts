/**
 * The trainee's history for the panel: every answer and each question's FSRS card, read from IndexedDB
 * (practice-history.ts) on first use and kept in step with it on each answer and import. A vanilla zustand store so
 * the panel's views share one copy; failures become a sentence in `error`, nothing else is lost.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { IDBPDatabase } from 'idb';
import { errorDetail } from '../../ui/error-sentence';
import { exportProgress, importProgress, listAttempts, openPracticeDb, recordAttempt, reviewCards, cardKey, type Attempt } from './practice-history';
import type { ReviewCard } from './review-schedule';

export interface PracticeHistoryState {
  attempts: Attempt[];
  cards: Record<string, ReviewCard>;
  loaded: boolean;
  /** A sentence for the panel when the history could not be read or written. */
  error: string | null;
  load(): Promise<void>;
  /** Saves one answer and moves its card on; resolves with the new card (null when saving failed, said in `error`). */
  record(attempt: Attempt): Promise<ReviewCard | null>;
  /** The history as a progress file's text. */
  exportText(): Promise<string>;
  /** Merges a progress file; resolves with how many answers were new. Rejects with a sentence on a bad file. */
  importText(text: string): Promise<number>;
  clearError(): void;
  /** Closes the database (tests; another tab's upgrade); the next use opens it again. */
  close(): Promise<void>;
}

export function createPracticeHistoryStore(openDb: () => Promise<IDBPDatabase> = openPracticeDb) {
  let db: Promise<IDBPDatabase> | null = null;
  const database = () => {
    db ??= openDb().catch((error: unknown) => {
      db = null;
      throw error;
    });
    return db;
  };
  return createStore<PracticeHistoryState>()((set) => {
    const reread = async () => {
      const handle = await database();
      set({ attempts: await listAttempts(handle), cards: await reviewCards(handle), loaded: true });
    };
    return {
      attempts: [],
      cards: {},
      loaded: false,
      error: null,
      async load() {
        try {
          await reread();
        } catch (error) {
          set({
            loaded: true,
            error: `Your practice history could not be read (${errorDetail(error).replace(/\.$/, '')}); answers still count but may not be kept.`,
          });
        }
      },
      async record(attempt) {
        try {
          const card = await recordAttempt(await database(), attempt);
          set((state) => ({ attempts: [...state.attempts, attempt], cards: { ...state.cards, [cardKey(attempt.bankId, attempt.questionId)]: card } }));
          return card;
        } catch (error) {
          set({ error: `This answer could not be saved to your history (${errorDetail(error).replace(/\.$/, '')}).` });
          return null;
        }
      },
      async exportText() {
        return exportProgress(await database());
      },
      async importText(text) {
        const added = await importProgress(await database(), text);
        await reread();
        return added;
      },
      clearError: () => set({ error: null }),
      async close() {
        const handle = db;
        db = null;
        if (handle) (await handle.catch(() => null))?.close();
      },
    };
  });
}

export const practiceHistoryStore = createPracticeHistoryStore();

export function usePracticeHistory<T>(selector: (state: PracticeHistoryState) => T): T {
  return useStore(practiceHistoryStore, selector);
}
