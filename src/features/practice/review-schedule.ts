/**
 * Spaced review with FSRS (ts-fsrs, not a home-made scheduler): each question a trainee has answered keeps an FSRS
 * card; a wrong answer is graded Again (it comes back soon), a right one Good, or Hard when the trainee says it was
 * hard. Questions are due when their card's due date has passed.
 */
import { createEmptyCard, fsrs, Rating, type Card, type FSRSParameters, type Grade } from 'ts-fsrs';

export type AnswerGrade = 'again' | 'hard' | 'good' | 'easy';

const RATING: Record<AnswerGrade, Grade> = {
  again: Rating.Again,
  hard: Rating.Hard,
  good: Rating.Good,
  easy: Rating.Easy,
};

/** What the trainee's answer means for review: wrong is always Again; a right answer felt hard is Hard. */
export function gradeForAnswer(correct: boolean, feltHard = false): AnswerGrade {
  if (!correct) return 'again';
  return feltHard ? 'hard' : 'good';
}

export type ReviewCard = Card;

export function newReviewCard(now: Date): ReviewCard {
  return createEmptyCard(now);
}

/** The card after one answer at `now`; `params` only for tests and tuning (default FSRS weights otherwise). */
export function scheduleReview(card: ReviewCard | undefined, grade: AnswerGrade, now: Date, params?: Partial<FSRSParameters>): ReviewCard {
  const scheduler = fsrs(params);
  return scheduler.next(card ?? createEmptyCard(now), now, RATING[grade]).card;
}

/** Question ids due for review at `now`, most overdue first. */
export function dueForReview(cards: Record<string, ReviewCard>, now: Date): string[] {
  return Object.entries(cards)
    .filter(([, c]) => c.due.getTime() <= now.getTime())
    .sort(([, a], [, b]) => a.due.getTime() - b.due.getTime())
    .map(([id]) => id);
}
