/**
 * Progress from a trainee's answer history: share right per tag and per day, the numbers behind the Practice
 * charts. Pure, so the history export and the charts read the same figures.
 */
import type { Question } from './bank-schema';

export interface AnswerRecord {
  questionId: string;
  chosen: number;
  correct: boolean;
  /** Milliseconds since the epoch. */
  answeredAt: number;
  mode: 'practice' | 'exam';
}

export interface Tally {
  key: string;
  answered: number;
  correct: number;
}

function tally(records: Iterable<[string, AnswerRecord]>): Tally[] {
  const byKey = new Map<string, Tally>();
  for (const [key, r] of records) {
    const t = byKey.get(key) ?? { key, answered: 0, correct: 0 };
    t.answered += 1;
    if (r.correct) t.correct += 1;
    byKey.set(key, t);
  }
  return [...byKey.values()];
}

/** Per tag, weakest first (lowest share right), so the trainee sees what to work on; untagged as '(no tag)'. */
export function progressByTag(history: readonly AnswerRecord[], questions: readonly Question[]): Tally[] {
  const tagsOf = new Map(questions.map((q) => [q.id, q.tags.length ? q.tags : ['(no tag)']]));
  const pairs: [string, AnswerRecord][] = [];
  for (const r of history) for (const tag of tagsOf.get(r.questionId) ?? ['(question no longer in a bank)']) pairs.push([tag, r]);
  return tally(pairs).sort((a, b) => a.correct / a.answered - b.correct / b.answered || a.key.localeCompare(b.key));
}

/** Per UTC day (YYYY-MM-DD), oldest first. */
export function progressByDay(history: readonly AnswerRecord[]): Tally[] {
  const pairs = history.map((r): [string, AnswerRecord] => [new Date(r.answeredAt).toISOString().slice(0, 10), r]);
  return tally(pairs).sort((a, b) => a.key.localeCompare(b.key));
}
