/**
 * Exam mode's pure logic: choose a set of questions by tags, difficulty and size, keep the trainee's answers
 * (changeable until submitted), and score the submitted exam question by question for the review.
 */
import { seededRandom } from '../../ui/seeded-random';
import type { Question } from './bank-schema';

export type Difficulty = NonNullable<Question['difficulty']>;

export interface ExamFilter {
  /** A question qualifies if it carries any of these tags; empty means every tag. */
  tags: readonly string[];
  /** Empty means every difficulty (questions without one included). */
  difficulties: readonly Difficulty[];
  size: number;
  /** Seeds the shuffle so an exam can be repeated (and tested) exactly. */
  seed: number;
}

export interface ExamSelection {
  questions: Question[];
  /** A sentence when fewer questions matched than asked for, or none did. */
  note?: string;
}

export function selectExamQuestions(bank: readonly Question[], filter: ExamFilter): ExamSelection {
  const matching = bank.filter(
    (q) =>
      (filter.tags.length === 0 || q.tags.some((t) => filter.tags.includes(t))) &&
      (filter.difficulties.length === 0 || (q.difficulty !== undefined && filter.difficulties.includes(q.difficulty))),
  );
  if (matching.length === 0) return { questions: [], note: 'No question matches these tags and difficulties. Choose fewer filters.' };
  // Fisher-Yates on a copy, so the bank's order is untouched.
  const random = seededRandom(filter.seed);
  const shuffled = [...matching];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const size = Math.max(1, Math.floor(filter.size));
  const questions = shuffled.slice(0, size);
  const note = questions.length < size ? `Only ${questions.length} questions match these filters; the exam has ${questions.length}.` : undefined;
  return { questions, note };
}

/** Answers by question id; absent means unanswered. Replacing an entry is how an answer changes before submit. */
export type ExamAnswers = Readonly<Record<string, number>>;

export function chooseExamAnswer(answers: ExamAnswers, questionId: string, optionIndex: number): ExamAnswers {
  return { ...answers, [questionId]: optionIndex };
}

export interface ExamReviewItem {
  question: Question;
  chosen: number | null;
  correct: boolean;
}

export interface ExamResult {
  correct: number;
  total: number;
  /** Whole percent, 0 for an empty exam. */
  percent: number;
  review: ExamReviewItem[];
}

/** Unanswered questions count as wrong: the exam asks for all of them. */
export function scoreExam(questions: readonly Question[], answers: ExamAnswers): ExamResult {
  const review = questions.map((question) => {
    const chosen = answers[question.id] ?? null;
    return { question, chosen, correct: chosen === question.answer };
  });
  const correct = review.filter((r) => r.correct).length;
  const total = questions.length;
  return { correct, total, percent: total ? Math.round((100 * correct) / total) : 0, review };
}

/** "mm:ss" left of a timed exam; 0 once time is up. */
export function timeLeft(startedAtMs: number, limitSeconds: number, nowMs: number): { seconds: number; label: string } {
  const seconds = Math.max(0, Math.ceil(limitSeconds - (nowMs - startedAtMs) / 1000));
  const label = `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  return { seconds, label };
}
