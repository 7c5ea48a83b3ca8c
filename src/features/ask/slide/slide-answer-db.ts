/**
 * "Ask the slide" answers saved with the slide (IndexedDB, one record per slide identity), regions included, so a
 * reload keeps what was asked, over which regions, and what came back. Unfinished answers come back stopped.
 */
import { indexedDbPerSlideList, type PerSlideList } from '../../../storage/per-slide-db';
import { SLIDE_LEVEL_ANSWERS } from '../../../storage/schema';
import type { SlideAnswer } from './slide-ask-store';

function isSlideAnswer(value: unknown): value is SlideAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const answer = value as Partial<SlideAnswer>;
  return (
    typeof answer.id === 'number' &&
    typeof answer.slideIdentity === 'string' &&
    typeof answer.question === 'string' &&
    typeof answer.reply === 'string' &&
    Array.isArray(answer.options) &&
    Array.isArray(answer.regions)
  );
}

/** What a saved answer means after a reload: anything unfinished was interrupted. */
export function settleRestoredSlideAnswer(answer: SlideAnswer): SlideAnswer {
  return answer.status === 'done' || answer.status === 'stopped' || answer.status === 'error' ? answer : { ...answer, status: 'stopped' };
}

export function indexedDbSlideAnswerPersistence(dbName = SLIDE_LEVEL_ANSWERS.dbName): PerSlideList<SlideAnswer> {
  return indexedDbPerSlideList<SlideAnswer>({ ...SLIDE_LEVEL_ANSWERS, dbName, isItem: isSlideAnswer, settle: settleRestoredSlideAnswer });
}
