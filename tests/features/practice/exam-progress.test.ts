import { describe, expect, it } from 'vitest';
import { chooseExamAnswer, scoreExam, selectExamQuestions, timeLeft } from '../../../src/features/practice/exam';
import { progressByDay, progressByTag, type AnswerRecord } from '../../../src/features/practice/progress';
import { DEMO_BANK } from '../../../src/features/practice/demo-bank';
import type { Question } from '../../../src/features/practice/bank-schema';

function q(id: string, tags: string[], difficulty?: Question['difficulty'], answer = 0): Question {
  return { id, stem: `stem ${id}`, options: ['a', 'b', 'c'], answer, explanation: '', tags, difficulty };
}
const bank = [q('1', ['liver'], 'easy'), q('2', ['liver', 'stains'], 'hard', 1), q('3', ['skin'], 'medium', 2), q('4', ['skin']), q('5', ['stains'], 'hard')];

describe('exam selection', () => {
  it('keeps only questions with a chosen tag and difficulty, and draws the same set for the same seed', () => {
    const filter = { tags: ['liver', 'stains'], difficulties: ['hard' as const], size: 5, seed: 7 };
    const a = selectExamQuestions(bank, filter);
    expect(a.questions.map((x) => x.id).sort()).toEqual(['2', '5']);
    expect(a.note).toBe('Only 2 questions match these filters; the exam has 2.');
    expect(selectExamQuestions(bank, filter).questions.map((x) => x.id)).toEqual(a.questions.map((x) => x.id));
  });

  it('no filters draw from the whole bank, cut to size, without repeats; other seeds give other orders', () => {
    const orders = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const { questions, note } = selectExamQuestions(bank, { tags: [], difficulties: [], size: 3, seed });
      expect(note).toBeUndefined();
      expect(new Set(questions.map((x) => x.id)).size).toBe(3);
      orders.add(questions.map((x) => x.id).join());
    }
    expect(orders.size).toBeGreaterThan(5);
    expect(bank.map((x) => x.id)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('says so when nothing matches', () => {
    const r = selectExamQuestions(bank, { tags: ['kidney'], difficulties: [], size: 3, seed: 1 });
    expect(r.questions).toEqual([]);
    expect(r.note).toMatch(/No question matches/);
  });

  it('works on the demo bank', () => {
    const r = selectExamQuestions(DEMO_BANK.questions, { tags: ['stains'], difficulties: ['easy'], size: 2, seed: 3 });
    expect(r.questions).toHaveLength(2);
    expect(r.questions.every((x) => x.tags.includes('stains'))).toBe(true);
  });
});

describe('exam scoring', () => {
  it('answers change until submit; the last choice counts and unanswered is wrong', () => {
    let answers = chooseExamAnswer({}, '1', 2);
    answers = chooseExamAnswer(answers, '1', 0);
    answers = chooseExamAnswer(answers, '2', 0);
    const result = scoreExam(bank.slice(0, 3), answers);
    expect(result).toMatchObject({ correct: 1, total: 3, percent: 33 });
    expect(result.review.map((r) => [r.question.id, r.chosen, r.correct])).toEqual([
      ['1', 0, true],
      ['2', 0, false],
      ['3', null, false],
    ]);
    expect(scoreExam([], {}).percent).toBe(0);
  });

  it('counts time down to zero', () => {
    expect(timeLeft(0, 90, 500)).toEqual({ seconds: 90, label: '01:30' });
    expect(timeLeft(0, 90, 61_000)).toEqual({ seconds: 29, label: '00:29' });
    expect(timeLeft(0, 90, 200_000)).toEqual({ seconds: 0, label: '00:00' });
  });
});

describe('progress', () => {
  const day = (d: number) => Date.UTC(2026, 10, d, 10);
  const history: AnswerRecord[] = [
    { questionId: '1', chosen: 0, correct: true, answeredAt: day(1), mode: 'practice' },
    { questionId: '2', chosen: 0, correct: false, answeredAt: day(1), mode: 'practice' },
    { questionId: '2', chosen: 1, correct: true, answeredAt: day(2), mode: 'exam' },
    { questionId: 'gone', chosen: 1, correct: false, answeredAt: day(2), mode: 'exam' },
  ];
  it('per tag, weakest first, a question counted under each of its tags', () => {
    expect(progressByTag(history, bank)).toEqual([
      { key: '(question no longer in a bank)', answered: 1, correct: 0 },
      { key: 'stains', answered: 2, correct: 1 },
      { key: 'liver', answered: 3, correct: 2 },
    ]);
  });
  it('per UTC day, oldest first', () => {
    expect(progressByDay([...history].reverse())).toEqual([
      { key: '2026-11-01', answered: 2, correct: 1 },
      { key: '2026-11-02', answered: 2, correct: 1 },
    ]);
  });
});
