import { askStore } from '../store/ask-store';
import { appStore } from '../store/app-store';
import { indexedDbAnswerPersistence, syncAnswersWithSlide } from '../store/answer-db';
import { slideStore } from '../store/slide-store';

/** Saves Patho-R1 answers with the open slide's session and restores them when that slide is opened again. */
export function installAnswerPersistence(): () => void {
  return syncAnswersWithSlide({
    persistence: indexedDbAnswerPersistence(),
    currentSlideIdentity: () => slideStore.getState().slide?.identity ?? null,
    subscribeToSlide: (listener) => slideStore.subscribe(listener),
    getAnswers: () => askStore.getState().answers,
    subscribeToAnswers: (listener) => askStore.subscribe(listener),
    restore: (answers) => askStore.getState().restore(answers),
    reportError: (sentence) => appStore.getState().reportError(sentence),
  });
}
