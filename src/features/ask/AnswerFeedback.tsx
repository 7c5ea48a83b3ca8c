import { useEffect, useMemo, useState } from 'react';
import { FeedbackPanel, type FeedbackTurn } from '../feedback';
import { slideStore } from '../../session/slide-store';
import { useAskStore, type AskAnswer } from './ask-store';
import { reviewImagePng } from './region-snapshot';

/**
 * The turns the model was given before `answer` (the ask store replays a conversation's finished answers, oldest
 * first, the image with the first): for a follow-up, its review keeps them so the export is the conversation.
 */
export function earlierTurnsOf(answers: readonly AskAnswer[], answer: AskAnswer): FeedbackTurn[] {
  return answers
    .filter((other) => other.conversationId === answer.conversationId && other.id < answer.id && (other.status === 'done' || other.status === 'stopped'))
    .map((other) => ({ question: other.question, options: [...other.options], reply: other.reply }));
}

/**
 * "Review this answer": a pathologist marks it correct or incorrect and may correct it (the Feedback feature keeps
 * it as training data, a follow-up with the turns before it). The region is read from the open slide only when the
 * review is opened.
 */
export function AnswerFeedback({ answer }: { answer: AskAnswer }) {
  const answers = useAskStore((state) => state.answers);
  const earlierTurns = useMemo(() => earlierTurnsOf(answers, answer), [answers, answer]);
  const [open, setOpen] = useState(false);
  const [image, setImage] = useState<Blob | null | 'unavailable'>(null);
  useEffect(() => {
    if (!open || image !== null) return;
    const slide = slideStore.getState().slide;
    const bounds = answer.bounds;
    let cancelled = false;
    (slide && bounds ? reviewImagePng(slide.source, bounds) : Promise.resolve(null))
      .then((blob) => blob ?? ('unavailable' as const))
      .catch(() => 'unavailable' as const)
      .then((blob) => {
        if (!cancelled) setImage(blob);
      });
    return () => {
      cancelled = true;
    };
  }, [open, image, answer.bounds]);

  return (
    <details className="mt-2 text-xs" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="cursor-pointer text-slate-700">Review this answer</summary>
      {image === null && open && <p className="mt-1 text-slate-600">Reading the region…</p>}
      {image === 'unavailable' && (
        <p className="mt-1 text-slate-600">The region of this answer cannot be read from the open slide, so it cannot be kept for review.</p>
      )}
      {image instanceof Blob && (
        <FeedbackPanel
          id={`ask:${answer.conversationId}:${answer.id}`}
          source="ask"
          image={image}
          earlierTurns={earlierTurns}
          question={answer.question}
          options={answer.options}
          reasoning={answer.reasoning}
          answer={answer.answer}
        />
      )}
    </details>
  );
}
