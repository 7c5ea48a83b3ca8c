import { askStore } from './ask-store';
import { appStore } from '../../session/app-store';
import { indexedDbAnswerPersistence, syncAnswersWithSlide } from './answer-db';
import { slideStore } from '../../session/slide-store';

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
