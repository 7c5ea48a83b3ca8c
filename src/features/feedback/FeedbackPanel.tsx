/**
 * Under an answer (Ask, Ask the slide, Practice): the pathologist marks it correct or incorrect and may correct the reasoning and
 * the answer; saved at once in IndexedDB and exported later as training data (FeedbackExportButton). Embedding
 * features pass what the model was given and what it replied; the panel keeps its own state.
 */
import { useEffect, useId, useState } from 'react';
import type { RgbaImage } from '../../slide/slide-source';
import { browserFeedbackStore, type FeedbackStore } from './feedback-db';
import { isEdited, type FeedbackRecord, type FeedbackSource, type FeedbackTurn, type FeedbackVerdict } from './feedback-record';
import { imageToPng } from './image-png';

export interface FeedbackPanelProps {
  /** Stable id of the answer in the embedding feature (e.g. "ask:12"). */
  id: string;
  source: FeedbackSource;
  /** The image the model was given (RGBA pixels or a PNG blob); "Ask the slide": Region 1. */
  image: RgbaImage | Blob;
  /** "Ask the slide": Regions 2, 3… in the order the prompt showed them. */
  moreImages?: readonly (RgbaImage | Blob)[];
  /** A follow-up: the conversation's turns before this question, oldest first, as the model was given them. */
  earlierTurns?: readonly FeedbackTurn[];
  question: string;
  options?: readonly string[];
  reasoning: string;
  answer: string;
  /** Where records go; the page's IndexedDB store by default. */
  store?: FeedbackStore;
}

type Status = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; verdict: FeedbackVerdict; edited: boolean } | { kind: 'error'; sentence: string };

export function FeedbackPanel({ id, source, image, moreImages, earlierTurns, question, options, reasoning, answer, store }: FeedbackPanelProps) {
  const feedback = store ?? browserFeedbackStore();
  const [verdict, setVerdict] = useState<FeedbackVerdict | null>(null);
  const [editing, setEditing] = useState(false);
  const [editedReasoning, setEditedReasoning] = useState(reasoning);
  const [editedAnswer, setEditedAnswer] = useState(answer);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const fieldId = useId();

  // A record saved before (this answer, an earlier visit) comes back with its verdict and corrections.
  useEffect(() => {
    let live = true;
    feedback.get(id).then(
      (record) => {
        if (!live || !record) return;
        setVerdict(record.verdict);
        setEditedReasoning(record.reasoning);
        setEditedAnswer(record.answer);
        setStatus({ kind: 'saved', verdict: record.verdict, edited: isEdited(record) });
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [feedback, id]);

  async function save(chosen: FeedbackVerdict, nextReasoning = editedReasoning, nextAnswer = editedAnswer) {
    setVerdict(chosen);
    setStatus({ kind: 'saving' });
    try {
      const previous = await feedback.get(id);
      const now = Date.now();
      // The images and the turns before are kept as first saved: they are what the model was given.
      const morePngs = previous ? previous.moreImagesPng : moreImages && moreImages.length > 0 ? await Promise.all(moreImages.map(imageToPng)) : undefined;
      const turns = previous
        ? previous.earlierTurns
        : earlierTurns && earlierTurns.length > 0
          ? earlierTurns.map((turn) => ({ ...turn, options: [...turn.options] }))
          : undefined;
      const record: FeedbackRecord = {
        id,
        source,
        question,
        options: [...(options ?? [])],
        imagePng: previous?.imagePng ?? (await imageToPng(image)),
        ...(morePngs && { moreImagesPng: morePngs }),
        ...(turns && { earlierTurns: turns }),
        verdict: chosen,
        reasoning: nextReasoning,
        answer: nextAnswer,
        originalReasoning: reasoning,
        originalAnswer: answer,
        createdAt: previous?.createdAt ?? now,
        updatedAt: now,
      };
      await feedback.put(record);
      setStatus({ kind: 'saved', verdict: chosen, edited: isEdited(record) });
    } catch (error) {
      setStatus({ kind: 'error', sentence: `The feedback could not be saved (${error instanceof Error ? error.message : String(error)}).` });
    }
  }

  const button = (value: FeedbackVerdict, label: string) => (
    <button
      type="button"
      aria-pressed={verdict === value}
      className={`rounded border px-2 py-0.5 text-xs ${verdict === value ? 'border-slate-700 bg-slate-700 text-white' : 'border-slate-300 bg-white text-slate-700'}`}
      onClick={() => {
        if (value === 'incorrect') setEditing(true);
        void save(value);
      }}
    >
      {label}
    </button>
  );

  return (
    <section aria-label="Expert feedback" className="mt-2 rounded border border-slate-200 p-2 text-xs text-slate-700" data-testid="feedback-panel">
      <div className="flex items-center gap-2">
        <span className="font-medium">Your verdict</span>
        {button('correct', 'Correct')}
        {button('incorrect', 'Incorrect')}
        <button type="button" className="ml-auto text-slate-600 underline" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {editing ? 'Hide correction' : 'Correct the answer'}
        </button>
      </div>
      {editing && (
        <form
          className="mt-2 flex flex-col gap-1"
          onSubmit={(event) => {
            event.preventDefault();
            void save(verdict ?? 'incorrect');
          }}
        >
          <label htmlFor={`${fieldId}-reasoning`}>Reasoning</label>
          <textarea
            id={`${fieldId}-reasoning`}
            className="rounded border border-slate-300 p-1"
            rows={4}
            value={editedReasoning}
            onChange={(event) => setEditedReasoning(event.target.value)}
          />
          <label htmlFor={`${fieldId}-answer`}>Answer</label>
          <textarea
            id={`${fieldId}-answer`}
            className="rounded border border-slate-300 p-1"
            rows={2}
            value={editedAnswer}
            onChange={(event) => setEditedAnswer(event.target.value)}
          />
          <button type="submit" className="self-start rounded bg-slate-700 px-2 py-0.5 text-white">
            Save correction
          </button>
        </form>
      )}
      <p role="status" className="mt-1 text-slate-600">
        {status.kind === 'saving' && 'Saving…'}
        {status.kind === 'saved' && `Saved: marked ${status.verdict}${status.edited ? ', with your correction' : ''}.`}
        {status.kind === 'error' && <span className="text-red-800">{status.sentence}</span>}
      </p>
    </section>
  );
}
