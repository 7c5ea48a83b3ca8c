/**
 * Asking Patho-R1 a bank question the way the evaluation harness does (eval/tasks/generative.ts): the image, then the
 * stem with the options as "A. …" lines, and the chosen letter read by extractMcqChoice, the one function the harness
 * scores with. Pure: the panel and the tests build the same prompt and read the same letter.
 */
import { extractMcqChoice, type McqExtraction } from '../../inference/mcq-answer';
import { buildPathoR1Messages, optionLetter, type ChatMessage } from '../../inference/patho-r1-prompt';
import type { Question } from './bank-schema';

export function practiceModelMessages(question: Pick<Question, 'stem' | 'options'>, withImage: boolean): ChatMessage[] {
  return buildPathoR1Messages([{ question: question.stem, options: question.options, withImage }]);
}

export interface ModelChoiceReading {
  extraction: McqExtraction;
  /** Whether the model chose the bank's answer (ambiguous and unparsed count wrong, as in the harness). */
  correct: boolean;
  sentence: string;
}

export function readModelChoice(reply: string, question: Pick<Question, 'options' | 'answer'>): ModelChoiceReading {
  const extraction = extractMcqChoice(reply, question.options);
  const right = `${optionLetter(question.answer)}`;
  if (extraction.status === 'chosen') {
    const correct = extraction.index === question.answer;
    return {
      extraction,
      correct,
      sentence: `Patho-R1 chose ${extraction.letter}. ${question.options[extraction.index]}: ${correct ? 'the right answer' : `not the right answer (${right})`}.`,
    };
  }
  if (extraction.status === 'ambiguous') {
    return {
      extraction,
      correct: false,
      sentence: `Patho-R1 named several options (${extraction.letters.join(', ')}), so no single choice is read; it counts as wrong.`,
    };
  }
  return { extraction, correct: false, sentence: 'No option could be read from Patho-R1’s answer; it counts as wrong.' };
}
