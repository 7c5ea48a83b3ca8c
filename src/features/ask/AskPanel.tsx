import { useState } from 'react';
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

const MAGNIFICATIONS = [5, 10, 20, 40];

function workerDependencies(): AskDependencies {
  return {
    backendLabel: () => modelStore.pathoR1Label('ask'),
    generate(request, callbacks) {
      const engine = modelStore.pathoR1Engine();
      if (!engine) return Promise.reject(new InferenceError('not-loaded', 'Patho-R1 is not loaded'));
      return engine.generate(request, callbacks);
    },
  };
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

function AnswerCard({ answer }: { answer: AskAnswer }) {
  const stats = answer.stats;
  const statusLabel: Record<AskAnswer['status'], string> = {
    'reading-region': 'Reading the region…',
    streaming: 'Answering…',
    done: 'Done',
    stopped: 'Stopped',
    error: 'Failed',
  };
  return (
    <article className="rounded border border-slate-200 p-3" aria-label={`Answer to: ${answer.question}`} data-status={answer.status}>
      <h3 className="font-medium">{answer.question}</h3>
      {answer.options.length > 0 && (
        <ol className="ml-4 list-[upper-alpha] text-xs text-slate-600">
          {answer.options.map((option) => (
            <li key={option}>{option}</li>
          ))}
        </ol>
      )}
      <p className="mt-1 text-xs text-slate-500">
        <span data-testid="answer-status">{statusLabel[answer.status]}</span>
        {answer.regionNote && ` · ${answer.regionNote}`} · {answer.backend}
        {stats?.timeToFirstTokenMs != null && ` · first token ${(stats.timeToFirstTokenMs / 1000).toFixed(2)} s`}
        {stats?.tokensPerSecond != null && ` · ${stats.tokensPerSecond.toFixed(1)} tokens/s`}
        {stats && ` · ${stats.newTokens} tokens`}
        {stats && stats.reusedTokens > 0 && ` · ${stats.reusedTokens} prompt tokens from the previous turn's cache`}
      </p>
      <AnswerBody answer={answer} answerTestId="answer-text" />
    </article>
  );
}

export function AskPanel() {
  const slide = useSlideStore((state) => state.slide);
  const rois = useSlideStore((state) => state.rois);
  const selectedRoiId = useSlideStore((state) => state.selectedRoiId);
  const answers = useAskStore((state) => state.answers);
  const busy = useAskStore((state) => state.busy);
  const settings = useAskStore((state) => state.settings);
  const magnification = useAskStore((state) => state.magnification);
  const chainOfDraft = useAskStore((state) => state.chainOfDraft);
  const pathoR1 = useModelStore((state) => state.pathoR1);
  const backend = useAppStore((state) => state.backend);
  const [question, setQuestion] = useState<string>(QUESTION_PRESETS[1]);
  const [optionsText, setOptionsText] = useState('');
  const mode: AskMode = useStore(slideAskStore, (state) => (state.slideMode ? 'slide' : 'region'));
  const setMode = (next: AskMode) => {
    slideAskStore.getState().setSlideMode(next === 'slide');
    if (next === 'region') hideRegionOutlines();
  };

  const roi = rois.find((candidate) => candidate.id === selectedRoiId) ?? null;
  const target = roi ? `Region “${roi.name}”` : 'The current view (no region selected)';
  const shown = answers.filter((answer) => answer.roiId === (roi?.id ?? null));

  const ask = async () => {
    const state = slideStore.getState();
    if (!state.slide) return;
    try {
      await modelStore.ensurePathoR1();
    } catch (error) {
      appStore.getState().reportError(`Patho-R1 is not ready: ${errorDetail(error).replace(/\.$/, '')}.`);
      return;
    }
    const catalog = modelStore.getState().catalog;
    const loaded = modelStore.getState().pathoR1;
    const entry = catalog.status === 'ready' && loaded.status === 'ready' ? catalog.entries.find((candidate) => candidate.path === loaded.path) : undefined;
    const metadata = state.slide.metadata;
    // No region selected: the part of the slide on screen (the whole slide if the viewer cannot say).
    const bounds = roi ? roiBounds(roi.shape) : (currentViewRegion() ?? { x: 0, y: 0, width: metadata.width, height: metadata.height });
    const options = optionsText
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    await askStore
      .getState()
      .ask(question, options, { slide: state.slide.source, roiId: roi?.id ?? null, bounds, maxPixels: entry?.maxPixels ?? 1_003_520 }, workerDependencies());
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

  return (
    <div className="space-y-3">
      <AskModeSwitch mode={mode} onChange={setMode} />
      <p className="text-xs text-slate-600">
        Asking about: <strong>{target}</strong> · Patho-R1:{' '}
        {pathoR1.status === 'ready'
          ? `${pathoR1.path} (${pathoR1.dtype}, ${pathoR1.device})`
          : pathoR1.status === 'loading'
            ? 'loading…'
            : 'loads on first question'}
        {backend.status === 'ready' && pathoR1.status !== 'ready' && ` · ${computeBackendLabel(backend.backend).split(' · ')[0]}`}
      </p>
      <ChannelRenderingNote slide={slide} testId="ask-channel-note" />
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
          onChange={(event) => setQuestion(event.target.value)}
        />
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
          Chain-of-Draft (short reasoning)
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
      <details className="text-sm">
        <summary className="cursor-pointer">Sampling settings</summary>
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
          onClick={() => void ask()}
        >
          Ask Patho-R1
        </button>
        {busy && (
          <button type="button" className="rounded border border-slate-300 px-3 py-1" onClick={() => askStore.getState().stop()}>
            Stop
          </button>
        )}
      </div>
      <div className="space-y-2" aria-live="polite">
        {shown.map((answer) => (
          <AnswerCard key={answer.id} answer={answer} />
        ))}
      </div>
    </div>
  );
}
