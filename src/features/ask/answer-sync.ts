import { askStore } from './ask-store';
import { appStore } from '../../session/app-store';
import { indexedDbAnswerPersistence, syncAnswersWithSlide } from './answer-db';
import { slideStore } from '../../session/slide-store';
import { indexedDbSlideAnswerPersistence } from './slide/slide-answer-db';
import { slideAskStore } from './slide/slide-ask-store';

/** Saves Patho-R1 answers (region and whole-slide) with the open slide's session and restores them when that slide is opened again. */
export function installAnswerPersistence(): () => void {
  const stopSlideAnswers = syncAnswersWithSlide({
    persistence: indexedDbSlideAnswerPersistence(),
    currentSlideIdentity: () => slideStore.getState().slide?.identity ?? null,
    subscribeToSlide: (listener) => slideStore.subscribe(listener),
    getAnswers: () => slideAskStore.getState().answers,
    subscribeToAnswers: (listener) => slideAskStore.subscribe(listener),
    restore: (answers) => slideAskStore.getState().restore(answers),
    isAnswering: () => slideAskStore.getState().busy,
    reportError: (sentence) => appStore.getState().reportError(sentence.replace('answers', '“Ask the slide” answers')),
  });
  const stopRegionAnswers = syncAnswersWithSlide({
    persistence: indexedDbAnswerPersistence(),
    currentSlideIdentity: () => slideStore.getState().slide?.identity ?? null,
    subscribeToSlide: (listener) => slideStore.subscribe(listener),
    getAnswers: () => askStore.getState().answers,
    subscribeToAnswers: (listener) => askStore.subscribe(listener),
    restore: (answers) => askStore.getState().restore(answers),
    isAnswering: () => askStore.getState().busy,
    reportError: (sentence) => appStore.getState().reportError(sentence),
  });
  return () => {
    stopSlideAnswers();
    stopRegionAnswers();
  };
}
