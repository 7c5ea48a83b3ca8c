/**
 * Bringing an imported session into the open slide without dropping anything already there. Pure.
 * - Regions: one already here with the same name and shape is the same region (a file imported twice adds
 *   nothing); any other is added (the slide store gives a new id when the id is taken; `regionIdMap` follows it).
 * - Answers: one already here (same conversation, question and creation time) is kept as it is; the others are
 *   added with new ids after the highest here, their region ids followed, and anything that was still streaming
 *   when exported marked stopped.
 * - Reviews (expert feedback): keyed `ask:<conversation>:<answer id>`, so their ids follow the answers'; an "Ask
 *   the slide" answer's review is keyed by its slide and creation time (slideReviewId), which an import keeps; a
 *   review already here is replaced only by a newer one.
 */
import type { SessionAnswer, SessionFeedback, SessionRegion, SessionSlideAnswer } from './session-format';

interface RegionLike {
  id: string;
  name: string;
  shape: unknown;
}

function sameRegion(a: RegionLike, b: RegionLike): boolean {
  return a.name === b.name && JSON.stringify(a.shape) === JSON.stringify(b.shape);
}

export interface RegionMatch {
  /** Imported regions not on the slide yet. */
  toAdd: SessionRegion[];
  /** Imported region id -> the id of the same region already on the slide. */
  here: Map<string, string>;
}

/** Which imported regions are on the slide already (same name and shape, whatever their id) and which to add. */
export function matchRegions(existing: readonly RegionLike[], imported: readonly SessionRegion[]): RegionMatch {
  const here = new Map<string, string>();
  const toAdd: SessionRegion[] = [];
  for (const region of imported) {
    const same =
      existing.find((candidate) => candidate.id === region.id && sameRegion(candidate, region)) ?? existing.find((candidate) => sameRegion(candidate, region));
    if (same) here.set(region.id, same.id);
    else toAdd.push(region);
  }
  return { toAdd, here };
}

/** Imported region id -> its id on this slide now (`addedAs`: what the slide store returned for `match.toAdd`, in order). */
export function regionIdMap(match: RegionMatch, addedAs: readonly { id: string }[]): Map<string, string> {
  const map = new Map(match.here);
  match.toAdd.forEach((region, index) => map.set(region.id, addedAs[index]?.id ?? region.id));
  return map;
}

interface AnswerLike {
  id: number;
  conversationId: string;
  question: string;
  createdAt: number;
}

const answerKey = (answer: AnswerLike) => JSON.stringify([answer.conversationId, answer.question, answer.createdAt]);

export interface AnswerMerge<T> {
  /** The answers here, then the new ones. */
  answers: T[];
  added: number;
  /** Imported answer id -> its id here (also for answers that were here already). */
  answerIdMap: Map<number, number>;
}

export function mergeAnswers<T extends AnswerLike>(
  existing: readonly T[],
  imported: readonly SessionAnswer[],
  roiIds: ReadonlyMap<string, string>,
): AnswerMerge<T> {
  const here = new Map(existing.map((answer) => [answerKey(answer), answer]));
  let nextId = Math.max(0, ...existing.map((answer) => answer.id)) + 1;
  const answerIdMap = new Map<number, number>();
  const added: T[] = [];
  for (const answer of imported) {
    const same = here.get(answerKey(answer));
    if (same) {
      answerIdMap.set(answer.id, same.id);
      continue;
    }
    const id = nextId++;
    answerIdMap.set(answer.id, id);
    const status = answer.status === 'streaming' || answer.status === 'reading-region' ? 'stopped' : answer.status;
    const roiId = answer.roiId === null ? null : (roiIds.get(answer.roiId) ?? answer.roiId);
    const merged = { ...answer, id, roiId, status } as unknown as T;
    here.set(answerKey(merged), merged);
    added.push(merged);
  }
  return { answers: [...existing, ...added], added: added.length, answerIdMap };
}

/** The review's id after its answer got a new id here; ids of other shapes are kept. */
export function feedbackIdHere(id: string, answerIds: ReadonlyMap<number, number>): string {
  const match = /^ask:(.+):(\d+)$/.exec(id);
  if (!match) return id;
  const mapped = answerIds.get(Number(match[2]));
  return mapped === undefined ? id : `ask:${match[1]}:${mapped}`;
}

/** The imported reviews to save: new ones, and newer versions of ones here. */
export function feedbackToSave(
  existing: readonly { id: string; updatedAt: number }[],
  imported: readonly SessionFeedback[],
  answerIds: ReadonlyMap<number, number>,
): SessionFeedback[] {
  const here = new Map(existing.map((record) => [record.id, record.updatedAt]));
  return imported
    .map((record) => ({ ...record, id: feedbackIdHere(record.id, answerIds) }))
    .filter((record) => (here.get(record.id) ?? -Infinity) < record.updatedAt);
}

interface SlideAnswerLike {
  id: number;
  question: string;
  createdAt: number;
}

/** "Ask the slide" answers: one already here (same question and creation time) is kept; others are added with new ids, unfinished ones stopped. */
export function mergeSlideAnswers<T extends SlideAnswerLike>(
  existing: readonly T[],
  imported: readonly SessionSlideAnswer[],
  slideIdentity: string,
): { answers: T[]; added: number } {
  const key = (answer: SlideAnswerLike) => JSON.stringify([answer.question, answer.createdAt]);
  const here = new Set(existing.map(key));
  let nextId = Math.max(0, ...existing.map((answer) => answer.id)) + 1;
  const added: T[] = [];
  for (const answer of imported) {
    if (here.has(key(answer))) continue;
    here.add(key(answer));
    const finished = answer.status === 'done' || answer.status === 'stopped' || answer.status === 'error';
    added.push({ ...answer, id: nextId++, slideIdentity, status: finished ? answer.status : 'stopped' } as unknown as T);
  }
  return { answers: [...existing, ...added], added: added.length };
}
