/**
 * Streams one Patho-R1 reply into an answer, for both Ask modes (a region, the whole slide): the text is split
 * into <think> reasoning and <answer> as it arrives, and a stop or a failure keeps what was said.
 */
import type { GenerationStats, PathoR1GenerateRequest } from '../../inference/patho-r1-engine';
import { ThinkAnswerStream, displayedAnswer } from '../../inference/think-answer-stream';
import { errorDetail } from '../../ui/error-sentence';
import type { AskDependencies } from './ask-store';

/** The streamed fields both kinds of answer share. */
export interface StreamedAnswerPatch {
  reply?: string;
  reasoning?: string;
  answer?: string;
  reasoningClosed?: boolean;
  status?: 'done' | 'stopped' | 'error';
  stats?: GenerationStats;
  error?: string;
}

/** Generates through `dependencies`, reporting each piece with `onUpdate`; resolves with the final patch (never rejects). */
export async function streamAnswer(
  dependencies: AskDependencies,
  request: PathoR1GenerateRequest,
  signal: AbortSignal,
  onUpdate: (patch: StreamedAnswerPatch) => void,
): Promise<StreamedAnswerPatch> {
  const parser = new ThinkAnswerStream();
  let reply = '';
  try {
    const result = await dependencies.generate(request, {
      signal,
      onText: (text) => {
        reply += text;
        const snapshot = parser.push(text);
        onUpdate({ reply, reasoning: snapshot.reasoning, answer: displayedAnswer(snapshot), reasoningClosed: snapshot.reasoningClosed });
      },
    });
    const snapshot = parser.finish();
    return {
      reply,
      reasoning: snapshot.reasoning,
      answer: displayedAnswer(snapshot),
      reasoningClosed: snapshot.reasoningClosed,
      status: result.stopped ? 'stopped' : 'done',
      stats: result.stats,
    };
  } catch (error) {
    const snapshot = parser.finish();
    return {
      reply,
      reasoning: snapshot.reasoning,
      answer: displayedAnswer(snapshot),
      status: 'error',
      // Remote errors already say the text is kept (and what to do): say it once.
      error: /text so far is kept/i.test(errorDetail(error))
        ? `Patho-R1 stopped with an error: ${errorDetail(error).replace(/\.?$/, '.')}`
        : `Patho-R1 stopped with an error: ${errorDetail(error).replace(/\.$/, '')}. The text so far is kept.`,
    };
  }
}
