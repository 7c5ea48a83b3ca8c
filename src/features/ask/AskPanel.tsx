import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { computeBackendLabel } from '../../inference/compute-backend';
import { askStore, useAskStore, type AskAnswer, type AskDependencies } from './ask-store';
import { InferenceError } from '../../inference/inference-error';
import { modelStore, useModelStore } from '../models';
import { appStore, useAppStore } from '../../session/app-store';
import { slideStore, useSlideStore } from '../../session/slide-store';
import { errorDetail } from '../../ui/error-sentence';
import { AnswerBody } from './AnswerBody';
import { currentViewRegion } from '../../session/current-view';
import { roiBounds } from '../../session/roi';
import { ChannelRenderingNote } from '../viewer';
import { QUESTION_PRESETS } from '../../inference/patho-r1-prompt';
import { SlideAskPanel } from './slide/SlideAskPanel';
import { slideAskStore } from './slide/slide-ask-store';
import { hideRegionOutlines } from './slide/slide-ask-session';
import { useStore } from 'zustand';
import { validateGenerationSettings } from '../../inference/generation-settings';
import { showRegionInViewer } from '../../session/viewer-navigation';
import type { SlideRect } from '../../slide/slide-source';
import { downloadText } from '../search';
import { answersOf, conversationSummaries } from './conversations';
import { conversationMarkdown } from './conversation-markdown';
import { firstTokenProgress, liveIndicator } from './live-indicator';
import { regionSnapshotPng } from './region-snapshot';
import { AnswerFeedback } from './AnswerFeedback';
import { PrintReportButton } from './AnswerReport';
import { isAtBottom, readerScrolledUp } from './stick-to-bottom';
import { visibleModelText } from './visible-text';
import { regionPreReadStore, useRegionPreRead } from './region-pre-read';

const MAGNIFICATIONS = [5, 10, 20, 40];

function workerDependencies(): AskDependencies {
  return {
    backendLabel: () => modelStore.pathoR1Label('ask'),
    modelLabel: () => modelStore.pathoR1Name('ask'),
    firstTokenEstimateMs: (width, height) => modelStore.pathoR1FirstTokenEstimateMs('ask', width, height),
    firstTokenEstimateForImageMs(image) {
      // An image still being read ahead leaves the rest of its reading and the prompt; one read (with the prompt
      // before the question prefilled) leaves only the question.
      const imageMsLeft = regionPreReadStore.imageMsLeft(image);
      const parts = imageMsLeft === null ? null : modelStore.pathoR1FirstTokenPartsMs('ask', image.width, image.height);
      if (!parts) return null;
      return regionPreReadStore.getState().status === 'ready' ? parts.questionMs : imageMsLeft! + parts.promptMs;
    },
    generate(request, callbacks) {
      const engine = modelStore.pathoR1Engine();
      if (!engine) return Promise.reject(new InferenceError('not-loaded', 'Patho-R1 is not loaded'));
      return engine.generate(request, callbacks);
    },
  };
}

/** The largest image the loaded model's folder takes (its manifest), as a question reads it. */
function maxPixelsOfLoadedModel(): number {
  const catalog = modelStore.getState().catalog;
  const loaded = modelStore.getState().pathoR1;
  const entry = catalog.status === 'ready' && loaded.status === 'ready' ? catalog.entries.find((candidate) => candidate.path === loaded.path) : undefined;
  return entry?.maxPixels ?? 1_003_520;
}

type AskMode = 'region' | 'slide';

/** Ask about one region (the selection or the view), or about the whole slide (PathoCLIP picks the regions). */
function AskModeSwitch({ mode, onChange }: { mode: AskMode; onChange(mode: AskMode): void }) {
  return (
    <div role="radiogroup" aria-label="Ask about" className="flex gap-3 text-sm">
      {(
        [
          ['region', 'A region'],
          ['slide', 'Ask the slide'],
        ] as const
      ).map(([value, label]) => (
        <label key={value} className="flex items-center gap-1">
          <input type="radio" name="ask-mode" value={value} checked={mode === value} onChange={() => onChange(value)} />
          {label}
        </label>
      ))}
    </div>
  );
}

/** Seconds tick while an answer is in progress, for its live indicator. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

interface AnswerActions {
  onRegenerate?(): void;
  onEdit?(): void;
  onDelete(): void;
  /** What the answer is about, for its printable report ('Region “ROI 1”'). */
  reportTarget: string;
}

function AnswerCard({ answer, actions }: { answer: AskAnswer; actions: AnswerActions }) {
  const stats = answer.stats;
  const inProgress = answer.status === 'reading-region' || answer.status === 'streaming';
  const now = useNow(inProgress);
  const firstTokenShare = inProgress ? firstTokenProgress(answer, now) : null;
  const [copied, setCopied] = useState(false);
  const statusLabel: Record<AskAnswer['status'], string> = {
    'reading-region': 'Reading the image…',
    streaming: 'Answering…',
    done: 'Done',
    stopped: 'Stopped',
    error: 'Failed',
  };
  const copy = () => {
    void navigator.clipboard?.writeText(visibleModelText(answer.answer)).then(
      () => setCopied(true),
      () => appStore.getState().reportError('The answer could not be copied: the browser refused the clipboard. Select the text and copy it instead.'),
    );
  };
  const button = 'rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50 disabled:opacity-50';
  return (
    <article
      className="rounded border border-slate-200 p-3 [overflow-wrap:anywhere]"
      aria-label={`Answer to: ${answer.question}`}
      data-status={answer.status}
      data-testid="ask-answer"
    >
      <h3 className="whitespace-pre-wrap font-medium">{answer.question}</h3>
      {answer.options.length > 0 && (
        <ol className="ml-4 list-[upper-alpha] text-xs text-slate-600">
          {answer.options.map((option) => (
            <li key={option}>{option}</li>
          ))}
        </ol>
      )}
      <p className="mt-1 text-xs text-slate-500">
        <span data-testid="answer-status">{inProgress ? liveIndicator(answer, now) : statusLabel[answer.status]}</span>
        {firstTokenShare !== null && (
          <progress
            className="ml-1 h-1.5 w-16 align-middle"
            max={1}
            value={firstTokenShare}
            aria-label="Time to the first token, against this computer's estimate"
            data-testid="first-token-progress"
          />
        )}
        {answer.regionNote && ` · ${answer.regionNote}`} · {answer.backend}
        {stats?.timeToFirstTokenMs != null && ` · first token ${(stats.timeToFirstTokenMs / 1000).toFixed(2)} s`}
        {stats?.tokensPerSecond != null && ` · ${stats.tokensPerSecond.toFixed(1)} tokens/s`}
        {stats && ` · ${stats.newTokens} tokens`}
        {stats && stats.reusedTokens > 0 && ` · ${stats.reusedTokens} prompt tokens from the previous turn's cache`}
        {stats?.imagePreRead && ' · image read before the question'}
        {stats?.prefixPreReadTokens ? ` (with the ${stats.prefixPreReadTokens} prompt tokens before it)` : null}
      </p>
      <AnswerBody answer={answer} answerTestId="answer-text" />
      {!inProgress && (
        <div className="mt-2 flex flex-wrap gap-1" role="group" aria-label="Answer actions">
          <button type="button" className={button} onClick={copy} disabled={!answer.answer}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          {actions.onRegenerate && (
            <button type="button" className={button} onClick={actions.onRegenerate}>
              Regenerate
            </button>
          )}
          {actions.onEdit && (
            <button type="button" className={button} onClick={actions.onEdit}>
              Edit and resend
            </button>
          )}
          <button type="button" className={button} onClick={actions.onDelete}>
            Delete
          </button>
          <PrintReportButton answer={answer} target={actions.reportTarget} className={button} />
        </div>
      )}
      {(answer.status === 'done' || answer.status === 'stopped') && <AnswerFeedback answer={answer} />}
    </article>
  );
}

export function AskPanel() {
  const slide = useSlideStore((state) => state.slide);
  const rois = useSlideStore((state) => state.rois);
  const selectedRoiId = useSlideStore((state) => state.selectedRoiId);
  const answers = useAskStore((state) => state.answers);
  const activeConversationId = useAskStore((state) => state.activeConversationId);
  const busy = useAskStore((state) => state.busy);
  const settings = useAskStore((state) => state.settings);
  const magnification = useAskStore((state) => state.magnification);
  const chainOfDraft = useAskStore((state) => state.chainOfDraft);
  const fullSizeRegions = useAskStore((state) => state.fullSizeRegions);
  const preReadRegions = useAskStore((state) => state.preReadRegions);
  const preRead = useRegionPreRead((state) => state);
  const pathoR1 = useModelStore((state) => state.pathoR1);
  const backend = useAppStore((state) => state.backend);
  const [question, setQuestion] = useState<string>(QUESTION_PRESETS[1]);
  const [optionsText, setOptionsText] = useState('');
  const [questionProblem, setQuestionProblem] = useState<string | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const thread = useRef<HTMLDivElement>(null);
  const followNewest = useRef(true);
  const autoScrolledTo = useRef<number | null>(null);
  const mode: AskMode = useStore(slideAskStore, (state) => (state.slideMode ? 'slide' : 'region'));
  const setMode = (next: AskMode) => {
    slideAskStore.getState().setSlideMode(next === 'slide');
    if (next === 'region') hideRegionOutlines();
  };

  const settingsProblems = validateGenerationSettings(settings);
  const conversation = answersOf(answers, activeConversationId);
  const conversations = conversationSummaries(answers);
  const first = conversation[0];
  // A conversation stays about its own picture: its region, or the view it started from.
  const conversationRoi = first ? (rois.find((candidate) => candidate.id === first.roiId) ?? null) : null;
  const roi = first ? conversationRoi : (rois.find((candidate) => candidate.id === selectedRoiId) ?? null);
  const target = first
    ? first.roiId !== null
      ? `Region “${conversationRoi?.name ?? 'deleted region'}”`
      : 'The view this conversation started from'
    : roi
      ? `Region “${roi.name}”`
      : 'The current view (no region selected)';

  // Selecting a region on the slide shows its conversation.
  // (again once a slide's saved answers arrive, so an already selected region shows its conversation).
  const hasAnswers = answers.length > 0;
  useEffect(() => askStore.getState().followSelection(selectedRoiId), [selectedRoiId, hasAnswers]);

  // Read a selected region's image while the question is typed (a first question only: a follow-up continues from
  // its conversation's cache), with a local model loaded and nothing being answered.
  const preReadRoi = mode === 'region' && slide && conversation.length === 0 && roi && roi.id === selectedRoiId ? roi : null;
  const preReadBounds = preReadRoi ? roiBounds(preReadRoi.shape) : null;
  const preReadKey =
    preReadRoi && preReadBounds && preReadRegions && pathoR1.status === 'ready'
      ? JSON.stringify([slide?.metadata.name, preReadRoi.id, preReadBounds, magnification, fullSizeRegions, pathoR1.path])
      : null;
  useEffect(() => {
    const client = modelStore.pathoR1LocalClient('ask');
    const state = slideStore.getState();
    if (preReadKey === null || !client || !state.slide || !preReadBounds) {
      if (!busy) regionPreReadStore.clear();
      return;
    }
    if (busy) return;
    const estimate = (width: number, height: number) => modelStore.pathoR1FirstTokenEstimateMs('ask', width, height);
    void regionPreReadStore.start(
      {
        key: preReadKey,
        model: modelStore.getState().pathoR1,
        source: { slide: state.slide.source, bounds: preReadBounds, maxPixels: maxPixelsOfLoadedModel() },
        options: { magnification, fullSizeRegions, ...(modelStore.getState().pathoR1.status === 'ready' && { estimate }) },
        // The prompt before the question is prefilled with this system prompt; a later Chain-of-Draft toggle only
        // loses that part (the answer then feeds its whole prompt, with the image read ahead).
        prompt: { chainOfDraft: askStore.getState().chainOfDraft },
      },
      client,
      (width, height) => modelStore.pathoR1FirstTokenPartsMs('ask', width, height)?.imageMs ?? null,
    );
    // preReadBounds is part of preReadKey.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [preReadKey, busy, pathoR1]);

  // Follow the newest text while the reader is at the bottom; leave them where they are once they scroll up.
  const lastAnswer = conversation.at(-1);
  useEffect(() => {
    const element = thread.current;
    if (!element) return;
    if (readerScrolledUp(element, autoScrolledTo.current)) followNewest.current = false;
    if (!followNewest.current) return;
    element.scrollTop = element.scrollHeight;
    autoScrolledTo.current = element.scrollTop;
  }, [conversation.length, lastAnswer?.reply, lastAnswer?.status, activeConversationId]);

  const conversationBounds = (): SlideRect | null => {
    const state = slideStore.getState();
    if (!state.slide) return null;
    const metadata = state.slide.metadata;
    if (first?.bounds && (first.roiId === null || !conversationRoi)) return first.bounds;
    // No region selected: the part of the slide on screen (the whole slide if the viewer cannot say).
    return roi ? roiBounds(roi.shape) : (currentViewRegion() ?? { x: 0, y: 0, width: metadata.width, height: metadata.height });
  };

  const openConversation = (id: string) => {
    const summary = conversations.find((candidate) => candidate.id === id);
    if (!summary) return;
    const state = slideStore.getState();
    const region = summary.roiId ? state.rois.find((candidate) => candidate.id === summary.roiId) : undefined;
    state.selectRoi(region?.id ?? null);
    askStore.getState().openConversation(id);
    const bounds = region ? roiBounds(region.shape) : summary.bounds;
    if (bounds) showRegionInViewer(bounds);
    followNewest.current = true;
  };

  const exportConversation = async () => {
    const state = slideStore.getState();
    if (!state.slide || !first) return;
    const bounds = conversationBounds();
    // Without a snapshot the text is still worth exporting; the file then has no picture.
    const snapshot = bounds ? await regionSnapshotPng(state.slide.source, bounds).catch(() => null) : null;
    const markdown = conversationMarkdown({
      slideName: state.slide.metadata.name,
      target,
      answers: conversation,
      snapshotPng: snapshot,
      exportedAt: new Date(),
    });
    const name =
      first.question
        .replace(/[^\w-]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40) || 'conversation';
    downloadText(`${name}.md`, markdown, 'text/markdown');
  };

  const send = async () => {
    const state = slideStore.getState();
    if (!state.slide || busy) return;
    // Problems are said next to their field; nothing is sent and no card is added.
    if (!question.trim()) {
      setQuestionProblem('Type a question first (or pick one of the presets above).');
      return;
    }
    if (settingsProblems.length > 0) {
      setSettingsOpen(true);
      return;
    }
    setQuestionProblem(null);
    if (editing !== null) askStore.getState().deleteAnswer(editing);
    setEditing(null);
    followNewest.current = true;
    await ask();
  };

  const ask = async () => {
    const state = slideStore.getState();
    if (!state.slide) return;
    try {
      await modelStore.ensurePathoR1();
    } catch (error) {
      appStore.getState().reportError(`Patho-R1 is not ready: ${errorDetail(error).replace(/\.$/, '')}.`);
      return;
    }
    const bounds = conversationBounds();
    if (!bounds) return;
    const options = optionsText
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    await askStore
      .getState()
      .ask(
        question,
        options,
        { slide: state.slide.source, roiId: first ? first.roiId : (roi?.id ?? null), bounds, maxPixels: maxPixelsOfLoadedModel() },
        workerDependencies(),
      );
  };

  const regenerate = (answer: AskAnswer) => {
    const state = slideStore.getState();
    const bounds = conversationBounds();
    if (!state.slide || !bounds) return;
    followNewest.current = true;
    const maxPixels = 1_003_520;
    void askStore.getState().regenerate(answer.id, { slide: state.slide.source, roiId: answer.roiId, bounds, maxPixels }, workerDependencies());
  };

  const edit = (answer: AskAnswer) => {
    setQuestion(answer.question);
    setOptionsText(answer.options.join('\n'));
    setEditing(answer.id);
    document.getElementById('ask-question')?.focus();
  };

  const onQuestionKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter is a new line (and Enter while composing an accented letter is left alone).
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void send();
  };

  if (!slide) return <p className="text-slate-700">Open a slide, select a region (R draws a rectangle) or frame the view, then ask Patho-R1 about it.</p>;

  if (mode === 'slide') {
    return (
      <div className="space-y-3">
        <AskModeSwitch mode={mode} onChange={setMode} />
        <ChannelRenderingNote slide={slide} testId="ask-channel-note" />
        <SlideAskPanel engine={workerDependencies} />
      </div>
    );
  }

  const small = 'rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50 disabled:opacity-50';
  return (
    <div className="space-y-3">
      <AskModeSwitch mode={mode} onChange={setMode} />
      {/* The slide's regions where they are used: picking one selects it on the slide and shows its conversation. */}
      <div className="flex items-center gap-2 text-xs text-slate-700">
        <label htmlFor="ask-region-picker">Region</label>
        <select
          id="ask-region-picker"
          className="min-w-0 flex-1 rounded border border-slate-300 px-1 py-0.5"
          value={rois.some((candidate) => candidate.id === selectedRoiId) ? (selectedRoiId ?? '') : ''}
          disabled={busy}
          onChange={(event) => slideStore.getState().selectRoi(event.target.value || null)}
        >
          <option value="">None: the part of the slide on screen</option>
          {rois.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
              {candidate.hidden ? ' (hidden)' : ''}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={small} disabled={busy || activeConversationId === null} onClick={() => askStore.getState().newConversation()}>
          New conversation
        </button>
        <button type="button" className={small} disabled={!first || busy} onClick={() => void exportConversation()}>
          Export as markdown
        </button>
      </div>
      {conversations.length > 0 && (
        <details className="text-xs" data-testid="past-conversations">
          <summary className="cursor-pointer">Conversations on this slide ({conversations.length})</summary>
          <ul className="mt-1 space-y-1">
            {conversations.map((summary) => (
              <li key={summary.id}>
                <button
                  type="button"
                  className={`w-full rounded px-2 py-1 text-left hover:bg-slate-50 ${summary.id === activeConversationId ? 'bg-slate-100 font-medium' : ''}`}
                  aria-current={summary.id === activeConversationId ? 'true' : undefined}
                  disabled={busy}
                  onClick={() => openConversation(summary.id)}
                >
                  {summary.title}{' '}
                  <span className="text-slate-500">
                    · {summary.roiId ? (rois.find((candidate) => candidate.id === summary.roiId)?.name ?? 'deleted region') : 'a view'} · {summary.questions}{' '}
                    {summary.questions === 1 ? 'question' : 'questions'}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
      <p className="text-xs text-slate-600">
        {' '}
        Asking about: <strong>{target}</strong> · Patho-R1:{' '}
        {pathoR1.status === 'ready'
          ? `ready on ${pathoR1.device === 'webgpu' ? 'the graphics card' : 'the processor'}`
          : pathoR1.status === 'loading'
            ? 'loading…'
            : 'loads on the first question'}
        <span className="block text-[11px] text-slate-500" data-testid="ask-technical">
          {pathoR1.status === 'ready'
            ? `${pathoR1.path} · ${pathoR1.dtype} · ${pathoR1.device}`
            : backend.status === 'ready'
              ? computeBackendLabel(backend.backend).split(' · ')[0]
              : ''}
        </span>
      </p>
      <ChannelRenderingNote slide={slide} testId="ask-channel-note" />
      {preReadKey !== null && preRead.status !== 'idle' && preRead.target === preReadKey && (
        <p className="text-xs text-slate-600" data-testid="image-pre-read" data-state={preRead.status} role="status">
          {preRead.status === 'reading'
            ? `Reading the image…${preRead.expectedImageMs ? ` (about ${Math.max(1, Math.round(preRead.expectedImageMs / 1000))} s)` : ''} Ask at any time: the answer continues from this reading.`
            : `Image read${preRead.readMs !== null ? ` in ${(preRead.readMs / 1000).toFixed(1)} s` : ''}: the answer starts as soon as the question is read.`}
        </p>
      )}
      <div
        ref={thread}
        data-testid="ask-thread"
        aria-label="Conversation"
        role="log"
        tabIndex={0}
        className="max-h-[45vh] space-y-2 overflow-auto"
        onScroll={(event) => (followNewest.current = isAtBottom(event.currentTarget))}
      >
        {conversation.length === 0 && <p className="text-xs text-slate-500">A new conversation: earlier answers are not part of it.</p>}
        {conversation.map((answer, index) => {
          const last = index === conversation.length - 1 && !busy;
          return (
            <AnswerCard
              key={answer.id}
              answer={answer}
              actions={{
                onRegenerate: last ? () => regenerate(answer) : undefined,
                onEdit: last ? () => edit(answer) : undefined,
                onDelete: () => askStore.getState().deleteAnswer(answer.id),
                reportTarget: target,
              }}
            />
          );
        })}
      </div>
      <div className="flex flex-wrap gap-1" role="group" aria-label="Question presets">
        {QUESTION_PRESETS.map((preset) => (
          <button
            key={preset}
            type="button"
            className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50"
            onClick={() => setQuestion(preset)}
          >
            {preset}
          </button>
        ))}
      </div>
      {/* Labels point at their fields by id: a label wrapping a text field would add the field's text to its name. */}
      <div className="text-sm">
        <label htmlFor="ask-question">Question</label>
        <textarea
          id="ask-question"
          className="mt-1 w-full rounded border border-slate-300 p-2"
          rows={2}
          value={question}
          aria-invalid={questionProblem !== null}
          aria-describedby="ask-question-hint"
          onKeyDown={onQuestionKey}
          onChange={(event) => {
            setQuestion(event.target.value);
            setQuestionProblem(null);
          }}
        />
        <p id="ask-question-hint" className={`text-xs ${questionProblem ? 'text-red-800' : 'text-slate-500'}`} data-testid="question-problem">
          {questionProblem ?? (editing !== null ? 'Editing: sending replaces the last answer.' : 'Enter sends · Shift+Enter for a new line')}
        </p>
      </div>
      <div className="text-sm">
        <label htmlFor="ask-options">Answer options (one per line, optional)</label>
        <textarea
          id="ask-options"
          className="mt-1 w-full rounded border border-slate-300 p-2 text-xs"
          rows={2}
          value={optionsText}
          onChange={(event) => setOptionsText(event.target.value)}
        />
      </div>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label className="flex items-center gap-1">
          <input type="checkbox" checked={chainOfDraft} onChange={(event) => askStore.getState().setChainOfDraft(event.target.checked)} />
          Short reasoning <span className="text-slate-500">(Chain-of-Draft prompt)</span>
        </label>
        {pathoR1.status === 'ready' && pathoR1.speed && (
          // Only where the worker measured this computer's processor: elsewhere regions are always full size.
          <label className="flex items-center gap-1">
            <input type="checkbox" checked={fullSizeRegions} onChange={(event) => askStore.getState().setFullSizeRegions(event.target.checked)} />
            Full-size regions <span className="text-slate-500">(slower on this processor)</span>
          </label>
        )}
        <label className="flex items-center gap-1" title="Patho-R1 reads a selected region's image while you type the question">
          <input type="checkbox" checked={preReadRegions} onChange={(event) => askStore.getState().setPreReadRegions(event.target.checked)} />
          Read the region ahead
        </label>
        <label className="flex items-center gap-1">
          Magnification
          <select
            className="rounded border border-slate-300"
            value={magnification}
            onChange={(event) => askStore.getState().setMagnification(Number(event.target.value))}
          >
            {MAGNIFICATIONS.map((value) => (
              <option key={value} value={value}>
                {value}x
              </option>
            ))}
          </select>
        </label>
      </div>
      <details className="text-sm" open={settingsOpen} onToggle={(event) => setSettingsOpen(event.currentTarget.open)}>
        <summary className="cursor-pointer">Sampling settings</summary>
        {settingsProblems.length > 0 && (
          <p className="mt-1 text-xs text-red-800" data-testid="settings-problem" id="ask-settings-problem">
            {settingsProblems.join(' ')} Nothing is sent until this is fixed.
          </p>
        )}
        <div className="mt-2 grid grid-cols-2 gap-2 text-xs">
          <label className="col-span-2 flex items-center gap-1">
            <input type="checkbox" checked={settings.sample} onChange={(event) => askStore.getState().setSettings({ sample: event.target.checked })} />
            Sample (off: greedy, reproducible)
          </label>
          {(
            [
              ['temperature', 'Temperature', 0.05],
              ['topP', 'Top-p', 0.05],
              ['topK', 'Top-k', 1],
              ['repetitionPenalty', 'Repetition penalty', 0.05],
              ['maxNewTokens', 'Max new tokens', 1],
            ] as const
          ).map(([key, label, step]) => (
            <div key={key} className="flex flex-col">
              <label htmlFor={`ask-setting-${key}`}>{label}</label>
              <input
                id={`ask-setting-${key}`}
                type="number"
                step={step}
                className="rounded border border-slate-300 px-1"
                value={settings[key]}
                onChange={(event) => askStore.getState().setSettings({ [key]: Number(event.target.value) })}
              />
            </div>
          ))}
        </div>
      </details>
      <div className="flex gap-2">
        <button
          type="button"
          className="rounded bg-stain-hematoxylin px-3 py-1 text-white disabled:opacity-50"
          disabled={busy || pathoR1.status === 'loading'}
          onClick={() => void send()}
        >
          Ask Patho-R1
        </button>
        {busy && (
          <button type="button" className="rounded border border-slate-300 px-3 py-1" onClick={() => askStore.getState().stop()}>
            Stop
          </button>
        )}
      </div>
    </div>
  );
}
