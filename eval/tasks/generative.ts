/**
 * MCQ and VQA items through a PathoR1Engine (the in-thread runtime, or a remote server): the app's prompt, the
 * app's MCQ reader, the RL format reward. Replies are kept whole in the records for a later judge.
 */
import type { GenerationSettings } from '../../src/inference/generation-settings';
import { extractMcqChoice, isCorrectChoice, type McqExtraction } from '../../src/inference/mcq-answer';
import type { PathoR1Engine } from '../../src/inference/patho-r1-engine';
import { buildPathoR1Messages } from '../../src/inference/patho-r1-prompt';
import { answerText, formatReward } from '../../src/inference/patho-r1-rewards';
import { decodeImage } from '../image';
import type { ImageRef, McqGroup, McqItem, VqaItem } from '../items';
import { closedAnswer, exactMatch, readYesNo, tokenF1 } from '../metrics';

export interface McqRecord {
  id: string;
  order: number;
  group: McqGroup;
  answerIndex: number;
  reply: string;
  choice: McqExtraction;
  correct: boolean;
  format: 0 | 1;
  newTokens: number;
}

export interface VqaRecord {
  id: string;
  order: number;
  closed: boolean;
  question: string;
  answer: string;
  reply: string;
  /** The text of the reply's answer (inside <answer>, or the reply without its reasoning). */
  predicted: string;
  /** Closed questions: the yes/no read from the answer (null = unparsed) and whether it is right. */
  yesNo?: 'yes' | 'no' | null;
  correct?: boolean;
  exactMatch: boolean;
  f1: number;
  format: 0 | 1;
  newTokens: number;
}

async function ask(engine: PathoR1Engine, settings: GenerationSettings, image: ImageRef, question: string, options?: readonly string[]) {
  if (image.kind === 'file' && !image.path) throw new Error('The item names no image.');
  const messages = buildPathoR1Messages([{ question, ...(options ? { options } : {}), withImage: true }]);
  const decoded = await decodeImage(image).catch((error: unknown) => {
    throw new Error(`The image cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  });
  return engine.generate({ messages, images: [decoded], settings });
}

export async function runMcqItem(engine: PathoR1Engine, settings: GenerationSettings, item: McqItem): Promise<Omit<McqRecord, 'id' | 'order'>> {
  if (item.options.length < 2) throw new Error('The question has fewer than two options.');
  if (item.answerIndex < 0) throw new Error('The answer key is not one of the options.');
  const outcome = await ask(engine, settings, item.image, item.question, item.options);
  const choice = extractMcqChoice(outcome.text, item.options);
  return {
    group: item.group,
    answerIndex: item.answerIndex,
    reply: outcome.text,
    choice,
    correct: isCorrectChoice(choice, item.answerIndex),
    format: formatReward(outcome.text),
    newTokens: outcome.stats.newTokens,
  };
}

export async function runVqaItem(engine: PathoR1Engine, settings: GenerationSettings, item: VqaItem): Promise<Omit<VqaRecord, 'id' | 'order'>> {
  if (!item.answer.trim()) throw new Error('The question has no reference answer.');
  const outcome = await ask(engine, settings, item.image, item.question);
  const predicted = answerText(outcome.text);
  const record: Omit<VqaRecord, 'id' | 'order'> = {
    closed: item.closed,
    question: item.question,
    answer: item.answer,
    reply: outcome.text,
    predicted,
    exactMatch: exactMatch(predicted, item.answer),
    f1: tokenF1(predicted, item.answer),
    format: formatReward(outcome.text),
    newTokens: outcome.stats.newTokens,
  };
  if (item.closed) {
    const yesNo = readYesNo(outcome.text);
    const expected = closedAnswer(item.answer);
    record.yesNo = yesNo;
    // A CLOSED Quilt-VQA answer that is not yes/no is judged by exact match.
    record.correct = expected !== null ? yesNo === expected : record.exactMatch;
  }
  return record;
}
