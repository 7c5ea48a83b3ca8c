/**
 * One piece of expert feedback: the question and image Patho-R1 was given, what it answered, the pathologist's
 * verdict and (when they corrected it) the reasoning and answer they wrote. Saved in IndexedDB and exported as
 * training data; records read back are untrusted and checked here.
 */

export type FeedbackSource = 'ask' | 'practice';
export type FeedbackVerdict = 'correct' | 'incorrect';

export interface FeedbackRecord {
  /** The embedding feature's id for the answer (e.g. "ask:12"); saving again replaces the record. */
  id: string;
  source: FeedbackSource;
  question: string;
  /** MCQ options in order (A, B, …); empty for an open question. */
  options: string[];
  /** The image as the model saw it, PNG-encoded. */
  imagePng: Uint8Array;
  verdict: FeedbackVerdict;
  /** The reasoning and answer to train on: the model's own, or the pathologist's corrections. */
  reasoning: string;
  answer: string;
  originalReasoning: string;
  originalAnswer: string;
  createdAt: number;
  updatedAt: number;
}

/** True when the pathologist changed the reasoning or the answer. */
export function isEdited(record: Pick<FeedbackRecord, 'reasoning' | 'answer' | 'originalReasoning' | 'originalAnswer'>): boolean {
  return record.reasoning.trim() !== record.originalReasoning.trim() || record.answer.trim() !== record.originalAnswer.trim();
}

export function isFeedbackRecord(value: unknown): value is FeedbackRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<FeedbackRecord>;
  return (
    typeof record.id === 'string' &&
    (record.source === 'ask' || record.source === 'practice') &&
    typeof record.question === 'string' &&
    Array.isArray(record.options) &&
    record.options.every((option) => typeof option === 'string') &&
    record.imagePng instanceof Uint8Array &&
    (record.verdict === 'correct' || record.verdict === 'incorrect') &&
    typeof record.reasoning === 'string' &&
    typeof record.answer === 'string' &&
    typeof record.originalReasoning === 'string' &&
    typeof record.originalAnswer === 'string' &&
    typeof record.createdAt === 'number' &&
    typeof record.updatedAt === 'number'
  );
}
