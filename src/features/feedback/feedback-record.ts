/**
 * One piece of expert feedback: the question and image Patho-R1 was given, what it answered, the pathologist's
 * verdict and (when they corrected it) the reasoning and answer they wrote. Saved in IndexedDB and exported as
 * training data; records read back are untrusted and checked here.
 */

/** 'ask': a region answer (first question or follow-up); 'ask-slide': an "Ask the slide" answer over several regions. */
export type FeedbackSource = 'ask' | 'ask-slide' | 'practice';
export type FeedbackVerdict = 'correct' | 'incorrect';

/** Most earlier turns and most images one record keeps (a session file or a damaged database holds no more). */
export const MAX_FEEDBACK_TURNS = 200;
export const MAX_FEEDBACK_IMAGES = 200;

/** An earlier turn of the conversation, as the model saw it: the question, its options and the model's raw reply (tags included). */
export interface FeedbackTurn {
  question: string;
  options: string[];
  reply: string;
}

export interface FeedbackRecord {
  /** The embedding feature's id for the answer (e.g. "ask:12"); saving again replaces the record. */
  id: string;
  source: FeedbackSource;
  question: string;
  /** MCQ options in order (A, B, …); empty for an open question. */
  options: string[];
  /** The image as the model saw it, PNG-encoded ("Ask the slide": Region 1). */
  imagePng: Uint8Array;
  /**
   * "Ask the slide" only: Regions 2, 3… in the order the prompt showed them ("Region 1: <image>", "Region 2: <image>"…),
   * PNG-encoded. Absent for one image (and in records saved before it existed).
   */
  moreImagesPng?: Uint8Array[];
  /**
   * A follow-up (second or later question of an Ask conversation): the turns before it, oldest first, as the model
   * was given them (the image went with the first turn only). Absent or empty for a first question (and in records
   * saved before it existed).
   */
  earlierTurns?: FeedbackTurn[];
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

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

function isTurn(value: unknown): value is FeedbackTurn {
  if (typeof value !== 'object' || value === null) return false;
  const turn = value as Partial<FeedbackTurn>;
  return typeof turn.question === 'string' && isStrings(turn.options) && typeof turn.reply === 'string';
}

export function isFeedbackRecord(value: unknown): value is FeedbackRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<FeedbackRecord>;
  return (
    typeof record.id === 'string' &&
    (record.source === 'ask' || record.source === 'ask-slide' || record.source === 'practice') &&
    typeof record.question === 'string' &&
    isStrings(record.options) &&
    record.imagePng instanceof Uint8Array &&
    (record.moreImagesPng === undefined ||
      (Array.isArray(record.moreImagesPng) &&
        record.moreImagesPng.length < MAX_FEEDBACK_IMAGES &&
        record.moreImagesPng.every((png) => png instanceof Uint8Array))) &&
    (record.earlierTurns === undefined ||
      (Array.isArray(record.earlierTurns) && record.earlierTurns.length <= MAX_FEEDBACK_TURNS && record.earlierTurns.every(isTurn))) &&
    (record.verdict === 'correct' || record.verdict === 'incorrect') &&
    typeof record.reasoning === 'string' &&
    typeof record.answer === 'string' &&
    typeof record.originalReasoning === 'string' &&
    typeof record.originalAnswer === 'string' &&
    typeof record.createdAt === 'number' &&
    typeof record.updatedAt === 'number'
  );
}
