/**
 * "Ask Patho-R1" under a practised question, after the trainee has answered: the same image and question go to the
 * model the Models tab chose for Practice (this device or the server), the <think> reasoning and <answer> stream in,
 * and the chosen letter is read with extractMcqChoice. The pathologist can review the model's answer (Feedback).
 */
import { useEffect, useRef, useState } from 'react';
import { DEFAULT_GENERATION_SETTINGS, validateGenerationSettings } from '../../inference/generation-settings';
import { slideStore } from '../../session/slide-store';
import type { RgbaImage } from '../../slide/slide-source';
import { errorDetail } from '../../ui/error-sentence';
import { streamAnswer } from '../ask';
import { FeedbackPanel } from '../feedback';
import { modelStore } from '../models';
import type { Question } from './bank-schema';
import { practiceModelMessages, readModelChoice, type ModelChoiceReading } from './model-question';
import { practiceDependencies, readRegionForModel } from './practice-engine';
import type { ImagePlacement } from './practice-queue';

type Status = 'idle' | 'loading' | 'reading' | 'streaming' | 'done' | 'stopped' | 'error';

const STATUS_LABEL: Record<Status, string> = {
  idle: '',
  loading: 'Loading Patho-R1…',
  reading: 'Reading the image…',
  streaming: 'Answering…',
  done: 'Done',
  stopped: 'Stopped',
  error: 'Failed',
};

/** A data-URL image decoded to RGBA pixels (the browser's decoder; no canvas in the page). */
async function decodeDataUrl(dataUrl: string): Promise<RgbaImage> {
  const blob = await (await fetch(dataUrl)).blob();
  const bitmap = await createImageBitmap(blob);
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('the browser gave no 2D canvas to decode the image');
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: pixels.width, height: pixels.height, data: pixels.data };
  } finally {
    bitmap.close();
  }
}

async function questionImage(placement: ImagePlacement, signal: AbortSignal): Promise<RgbaImage | null> {
  if (placement.kind === 'none') return null;
  if (placement.kind === 'data-url') return decodeDataUrl(placement.dataUrl);
  if (placement.kind === 'on-open-slide') {
    const open = slideStore.getState().slide;
    if (!open) throw new Error('the slide was closed');
    return readRegionForModel(open.source, placement.region, signal);
  }
  throw new Error(placement.sentence);
}

export function ModelAnswer({ question, answerKey, placement }: { question: Question; answerKey: string; placement: ImagePlacement }) {
  const [status, setStatus] = useState<Status>('idle');
  const [reasoning, setReasoning] = useState('');
  const [answer, setAnswer] = useState('');
  const [reply, setReply] = useState('');
  const [backend, setBackend] = useState('');
  const [reading, setReading] = useState<ModelChoiceReading | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [image, setImage] = useState<RgbaImage | null>(null);
  const [maxNewTokens, setMaxNewTokens] = useState(String(DEFAULT_GENERATION_SETTINGS.maxNewTokens));
  const controller = useRef<AbortController | null>(null);

  // An answer in progress stops when the question goes away.
  useEffect(() => () => controller.current?.abort(), []);

  const busy = status === 'loading' || status === 'reading' || status === 'streaming';

  const ask = async () => {
    const settings = { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: Number(maxNewTokens) };
    const problems = validateGenerationSettings(settings);
    if (problems.length > 0) {
      setProblem(problems.join(' '));
      return;
    }
    setProblem(null);
    setReading(null);
    setReasoning('');
    setAnswer('');
    setReply('');
    const abort = new AbortController();
    controller.current = abort;
    setStatus('loading');
    try {
      await modelStore.ensurePathoR1('practice');
    } catch (error) {
      setStatus('error');
      setProblem(`Patho-R1 is not ready: ${errorDetail(error).replace(/\.$/, '')}. Load it in the Models tab, then ask again.`);
      return;
    }
    setBackend(modelStore.pathoR1Label('practice'));
    setStatus('reading');
    let pixels: RgbaImage | null;
    try {
      pixels = await questionImage(placement, abort.signal);
    } catch (error) {
      setStatus(abort.signal.aborted ? 'stopped' : 'error');
      if (!abort.signal.aborted) setProblem(`The question's image could not be read: ${errorDetail(error).replace(/\.$/, '')}.`);
      return;
    }
    // The engine may transfer the pixels to its worker (the buffer is then detached): the review keeps a copy.
    setImage(pixels && { width: pixels.width, height: pixels.height, data: pixels.data.slice() });
    setStatus('streaming');
    const request = { messages: practiceModelMessages(question, pixels !== null), images: pixels ? [pixels] : [], settings };
    const final = await streamAnswer(practiceDependencies(), request, abort.signal, (patch) => {
      if (patch.reasoning !== undefined) setReasoning(patch.reasoning);
      if (patch.answer !== undefined) setAnswer(patch.answer);
    });
    if (controller.current !== abort) return;
    controller.current = null;
    setReasoning(final.reasoning ?? '');
    setAnswer(final.answer ?? '');
    setReply(final.reply ?? '');
    if (final.status === 'error') {
      setStatus('error');
      setProblem(final.error ?? 'Patho-R1 stopped with an error.');
    } else setStatus(final.status ?? 'done');
    if (final.reply) setReading(readModelChoice(final.reply, question));
  };

  return (
    <section aria-label="Patho-R1's answer" className="mt-3 rounded border border-slate-200 p-3" data-testid="practice-model-answer" data-status={status}>
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          className="min-h-11 rounded bg-stain-hematoxylin px-3 py-2 text-white disabled:opacity-50"
          disabled={busy}
          onClick={() => void ask()}
        >
          {status === 'idle' ? 'Ask Patho-R1' : 'Ask Patho-R1 again'}
        </button>
        {busy && (
          <button type="button" className="min-h-11 rounded border border-slate-300 px-3 py-2" onClick={() => controller.current?.abort()}>
            Stop
          </button>
        )}
        <label className="flex items-center gap-1 text-xs text-slate-700">
          Longest answer (tokens)
          <input
            type="number"
            min={1}
            max={8192}
            value={maxNewTokens}
            onChange={(event) => setMaxNewTokens(event.target.value)}
            className="w-20 rounded border border-slate-300 px-1 py-0.5"
          />
        </label>
      </div>
      {status !== 'idle' && (
        <p className="mt-1 text-xs text-slate-600" data-testid="practice-model-status">
          {STATUS_LABEL[status]}
          {backend && ` · ${backend}`}
        </p>
      )}
      {problem && (
        <p role="alert" className="mt-1 rounded bg-red-50 px-2 py-1 text-red-900">
          {problem}
        </p>
      )}
      {reasoning && (
        <details open className="mt-2">
          <summary className="cursor-pointer text-xs text-slate-700">Reasoning</summary>
          <p className="whitespace-pre-wrap text-slate-700 [overflow-wrap:anywhere]" data-testid="practice-model-reasoning">
            {reasoning}
          </p>
        </details>
      )}
      {answer && (
        <p className="mt-2 whitespace-pre-wrap [overflow-wrap:anywhere]" data-testid="practice-model-text">
          <span className="font-medium">Answer: </span>
          {answer}
        </p>
      )}
      {reading && (
        <p
          className={`mt-2 font-medium ${reading.correct ? 'text-green-800' : 'text-slate-800'}`}
          data-testid="practice-model-choice"
          data-choice={reading.extraction.status === 'chosen' ? reading.extraction.letter : reading.extraction.status}
        >
          {reading.sentence}
        </p>
      )}
      {reply && !busy && (
        <details className="mt-2 text-xs">
          <summary className="cursor-pointer text-slate-700">Full reply (the text the choice was read from)</summary>
          <pre className="whitespace-pre-wrap text-slate-700 [overflow-wrap:anywhere]" data-testid="practice-model-reply">
            {reply}
          </pre>
        </details>
      )}
      {image && (status === 'done' || status === 'stopped') && reply && (
        <details className="mt-2 text-xs">
          <summary className="cursor-pointer text-slate-700">Review this answer</summary>
          <FeedbackPanel
            id={`practice:${answerKey}`}
            source="practice"
            image={image}
            question={question.stem}
            options={question.options}
            reasoning={reasoning}
            answer={answer}
          />
        </details>
      )}
    </section>
  );
}
