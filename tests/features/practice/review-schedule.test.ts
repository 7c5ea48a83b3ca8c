import { describe, expect, it } from 'vitest';
import { dueForReview, gradeForAnswer, scheduleReview, type AnswerGrade, type ReviewCard } from '../../../src/features/practice/review-schedule';

describe('spaced review (ts-fsrs)', () => {
  // ts-fsrs's own reference test (packages/fsrs/__tests__/FSRS-6.test.ts, "ivl_history"): these FSRS-6 weights,
  // this start time and this sequence of grades give these intervals in days.
  const w = [
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658,
    0.1542,
  ];
  it("matches ts-fsrs's reference interval history", () => {
    const grades: AnswerGrade[] = ['good', 'good', 'good', 'good', 'good', 'good', 'again', 'again', 'good', 'good', 'good', 'good', 'good'];
    let card: ReviewCard | undefined;
    let now = new Date(2022, 11, 29, 12, 30, 0, 0);
    const intervals: number[] = [];
    for (const g of grades) {
      card = scheduleReview(card, g, now, { w });
      intervals.push(card.scheduled_days);
      now = card.due;
    }
    expect(intervals).toEqual([0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21]);
  });

  it('a missed question comes back before a right one, and is due once its time has come', () => {
    const now = new Date(2026, 0, 1, 9, 0, 0);
    let missed = scheduleReview(undefined, gradeForAnswer(true), now);
    missed = scheduleReview(missed, gradeForAnswer(true), missed.due);
    let right = missed;
    const later = missed.due;
    missed = scheduleReview(missed, gradeForAnswer(false), later);
    right = scheduleReview(right, gradeForAnswer(true), later);
    expect(missed.due.getTime()).toBeLessThan(right.due.getTime());
    expect(dueForReview({ missed, right }, later)).toEqual([]);
    expect(dueForReview({ missed, right }, missed.due)).toEqual(['missed']);
    expect(dueForReview({ missed, right }, right.due)).toEqual(['missed', 'right']);
  });

  it('grades: wrong is again, right is good, right but hard is hard', () => {
    expect([gradeForAnswer(false, true), gradeForAnswer(true), gradeForAnswer(true, true)]).toEqual(['again', 'good', 'hard']);
  });
});
