/**
 * Patho-R1 answers saved with the slide's session in IndexedDB (one record per slide identity, the same
 * identity ROIs use), so a reload keeps what was asked and answered. An answer that was still streaming when
 * the page closed comes back marked stopped.
 */
import type { AskAnswer } from './ask-store';
import { indexedDbPerSlideList, type JournalStorage, type PerSlideList } from '../../storage/per-slide-db';
import { SLIDE_ANSWERS, upgradeSavedRegionAnswer } from '../../storage/schema';
import { storageWriteSentence } from '../../storage/storage-errors';

export type AnswerPersistence = PerSlideList<AskAnswer>;

export const ANSWER_DB_NAME = SLIDE_ANSWERS.dbName;

function isAnswer(value: unknown): value is AskAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const answer = value as Partial<AskAnswer>;
  return typeof answer.id === 'number' && typeof answer.question === 'string' && typeof answer.reply === 'string' && Array.isArray(answer.options);
}

/** What a saved answer means after a reload: anything unfinished was interrupted; one saved before conversations gets its thread. */
export function settleRestoredAnswer(saved: AskAnswer): AskAnswer {
  const answer = upgradeSavedRegionAnswer(saved);
  return answer.status === 'streaming' || answer.status === 'reading-region' ? { ...answer, status: 'stopped' } : answer;
}

/** `journal`: where a closing page keeps its answers (default localStorage; tests pass their own). */
export function indexedDbAnswerPersistence(dbName = ANSWER_DB_NAME, journal?: JournalStorage | null): AnswerPersistence {
  return indexedDbPerSlideList<AskAnswer>({
    ...SLIDE_ANSWERS,
    dbName,
    isItem: isAnswer,
    settle: settleRestoredAnswer,
    ...(journal !== undefined && { journal }),
  });
}

/**
 * Keeps an answer store and the open slide in step: loads a slide's answers when it opens, saves them as they
 * change (streaming text included, at most once per `saveEveryMs`; at once when no answer is in progress, so a
 * reload right after an answer ends cannot lose it). When the page is hidden for good (`pagehide`: reload, tab
 * closed, navigation) the answers as they are, the one still streaming included, go to the persistence's unload
 * journal synchronously and to IndexedDB; the next load brings that one back marked stopped. Returns an
 * unsubscribe function. Used for region answers and for "Ask the slide" answers.
 */
export function syncAnswersWithSlide<T = AskAnswer>(options: {
  persistence: PerSlideList<T>;
  currentSlideIdentity(): string | null;
  subscribeToSlide(listener: () => void): () => void;
  getAnswers(): T[];
  subscribeToAnswers(listener: () => void): () => void;
  restore(answers: T[]): void;
  reportError(sentence: string): void;
  saveEveryMs?: number;
  /** True while an answer is being read or streamed (its saves are throttled); default: always. */
  isAnswering?(): boolean;
  /** Calls `listener` when the page is being unloaded; default: the window's `pagehide` event. */
  subscribeToPageHide?(listener: () => void): () => void;
}): () => void {
  const { persistence, saveEveryMs = 500 } = options;
  let identity: string | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let loading = false;
  /** Saves started and not yet settled. */
  let writing = 0;

  const saveNow = (forIdentity: string | null) => {
    timer = null;
    if (!forIdentity || loading) return;
    writing += 1;
    persistence
      .save(forIdentity, options.getAnswers())
      .catch((error: unknown) => options.reportError(storageWriteSentence('the answers of this slide', error)))
      .finally(() => (writing -= 1));
  };

  const onPageHide = () => {
    if (!identity || loading) return;
    // The journal only when something may not be in IndexedDB yet: a save waiting, one under way, or an answer streaming.
    const unsaved = timer !== null || writing > 0 || (options.isAnswering?.() ?? true);
    if (unsaved) persistence.saveBeforeUnload?.(identity, options.getAnswers());
    if (timer) clearTimeout(timer);
    saveNow(identity);
  };

  const onSlide = () => {
    const next = options.currentSlideIdentity();
    if (next === identity) return;
    if (timer) {
      clearTimeout(timer);
      saveNow(identity);
    }
    identity = next;
    // Loading before clearing: the cleared list must not be saved over the slide's saved answers.
    loading = next !== null;
    options.restore([]);
    if (!next) return;
    persistence.load(next).then(
      (answers) => {
        loading = false;
        if (options.currentSlideIdentity() === next) options.restore(answers);
      },
      () => {
        loading = false;
        options.reportError('The saved answers of this slide could not be read; new answers may not be saved either.');
      },
    );
  };

  const onAnswers = () => {
    if (!identity || loading) return;
    if (!(options.isAnswering?.() ?? true)) {
      if (timer) clearTimeout(timer);
      saveNow(identity);
      return;
    }
    if (timer) return;
    const forIdentity = identity;
    timer = setTimeout(() => saveNow(forIdentity), saveEveryMs);
  };

  const unsubscribeSlide = options.subscribeToSlide(onSlide);
  const unsubscribeAnswers = options.subscribeToAnswers(onAnswers);
  const subscribeToPageHide = options.subscribeToPageHide ?? windowPageHide;
  const unsubscribePageHide = subscribeToPageHide(onPageHide);
  onSlide();
  return () => {
    unsubscribeSlide();
    unsubscribeAnswers();
    unsubscribePageHide();
    if (timer) {
      clearTimeout(timer);
      saveNow(identity);
    }
  };
}

function windowPageHide(listener: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined;
  window.addEventListener('pagehide', listener);
  return () => window.removeEventListener('pagehide', listener);
}
