/**
 * The conversations of a slide, as the list of past ones shows them: each with its first question as title,
 * what it was about (a region, or a view), its number of questions and when it was last used.
 */
import type { SlideRect } from '../../slide/slide-source';
import type { AskAnswer } from './ask-store';

export interface ConversationSummary {
  id: string;
  title: string;
  roiId: string | null;
  /** Level-0 bounds of the picture it is about (its first answer's). */
  bounds?: SlideRect;
  questions: number;
  lastAskedAt: number;
}

/** Newest first. */
export function conversationSummaries(answers: readonly AskAnswer[]): ConversationSummary[] {
  const byId = new Map<string, ConversationSummary>();
  for (const answer of answers) {
    const known = byId.get(answer.conversationId);
    if (known) {
      known.questions += 1;
      known.lastAskedAt = Math.max(known.lastAskedAt, answer.createdAt);
    } else {
      byId.set(answer.conversationId, {
        id: answer.conversationId,
        title: answer.question,
        roiId: answer.roiId,
        bounds: answer.bounds,
        questions: 1,
        lastAskedAt: answer.createdAt,
      });
    }
  }
  return [...byId.values()].sort((a, b) => b.lastAskedAt - a.lastAskedAt);
}

export function answersOf(answers: readonly AskAnswer[], conversationId: string | null): AskAnswer[] {
  return conversationId === null ? [] : answers.filter((answer) => answer.conversationId === conversationId);
}
