import { useState } from 'react';
import { useStore } from 'zustand';
import { IndexingProgressView, useSlideIndexState } from '../../search';
import { modelStore } from '../../models';
import { appStore } from '../../../session/app-store';
import { currentViewRegion } from '../../../session/current-view';
import { roiBounds } from '../../../session/roi';
import { selectedRoi, slideStore, useSlideStore } from '../../../session/slide-store';
import { errorDetail } from '../../../ui/error-sentence';
import { AnswerBody } from '../AnswerBody';
import { askStore, useAskStore, type AskDependencies } from '../ask-store';
import { cancelSlideIndexing, flyToRegion, slideAskDependencies } from './slide-ask-session';
import { SlideAnswerFeedback } from './SlideAnswerFeedback';
import { slideAskStore, type CandidateRegion, type SlideAnswer, type SlideAskRequest } from './slide-ask-store';

const STATUS_LABEL: Record<SlideAnswer['status'], string> = {
  'finding-regions': 'Finding the regions…',
  'reading-regions': 'Reading the regions…',
  streaming: 'Answering…',
  done: 'Done',
  stopped: 'Stopped',
  error: 'Failed',
};

const describeRect = (region: CandidateRegion) =>
  `${Math.round(region.rect.width)} x ${Math.round(region.rect.height)} px at (${Math.round(region.rect.x)}, ${Math.round(region.rect.y)})`;

function SlideAnswerCard({ answer }: { answer: SlideAnswer }) {
  const stats = answer.stats;
  return (
    <article className="rounded border border-slate-200 p-3" aria-label={`Slide answer to: ${answer.question}`} data-status={answer.status}>
      <h3 className="font-medium">{answer.question}</h3>
      {answer.options.length > 0 && (
        <ol className="ml-4 list-[upper-alpha] text-xs text-slate-600">
          {answer.options.map((option) => (
            <li key={option}>{option}</li>
          ))}
        </ol>
      )}
      <p className="mt-1 text-xs text-slate-500">
        <span data-testid="slide-answer-status">{STATUS_LABEL[answer.status]}</span> · {answer.backend}
        {answer.promptTokens !== null && ` · about ${answer.promptTokens.toLocaleString('en')} prompt tokens planned`}
        {stats?.timeToFirstTokenMs != null && ` · first token ${(stats.timeToFirstTokenMs / 1000).toFixed(2)} s`}
        {stats?.tokensPerSecond != null && ` · ${stats.tokensPerSecond.toFixed(1)} tokens/s`}
        {stats && ` · ${stats.promptTokens} prompt, ${stats.newTokens} new tokens`}
      </p>
      {answer.budgetNote && (
        <p className="mt-1 rounded bg-amber-50 p-1 text-xs text-amber-900" data-testid="budget-note">
          {answer.budgetNote}
        </p>
      )}
      {answer.regions.length > 0 && (
        <ol className="mt-2 space-y-1 text-xs" aria-label="Regions Patho-R1 saw">
          {answer.regions.map((region) => (
            <li key={region.number}>
              <button
                type="button"
                className="w-full rounded border border-orange-300 px-2 py-0.5 text-left hover:bg-orange-50"
                onClick={() => flyToRegion(answer.slideIdentity, answer.regions, region)}
              >
                <strong>Region {region.number}</strong> · {region.readNote} · {region.tokens} tokens · {region.origin}
              </button>
            </li>
          ))}
        </ol>
      )}
      <AnswerBody answer={answer} answerTestId="slide-answer-text" />
      {(answer.status === 'done' || answer.status === 'stopped') && <SlideAnswerFeedback answer={answer} />}
    </article>
  );
}

/** The slide's index while "Ask the slide" needs it: progress and cancel while it is built. */
function IndexStatus() {
  const index = useSlideIndexState();
  if (index.status === 'indexing') {
    return (
      <IndexingProgressView progress={index.progress} onCancel={cancelSlideIndexing} progressTestId="ask-index-progress" compact>
        <p>Indexing the slide with PathoCLIP (once per slide and model; kept in this browser).</p>
      </IndexingProgressView>
    );
  }
  const said =
    index.status === 'ready'
      ? `PathoCLIP index ready: ${index.index.cells.length.toLocaleString('en')} tissue tiles at ${index.index.grid.magnification === null ? 'full resolution' : `${index.index.grid.magnification}x`}.`
      : index.status === 'error'
        ? index.message
        : 'The slide is indexed with PathoCLIP on the first question (at the Search tab’s magnification, with progress), then kept in this browser.';
  return (
    <p className="text-xs text-slate-600" data-testid="ask-index-status">
      {said}
    </p>
  );
}

/** The user's region (the selected ROI, else the view on screen) as a region a follow-up can add. */
function userRegion(): CandidateRegion | null {
  const state = slideStore.getState();
  const roi = selectedRoi(state);
  if (roi) return { rect: roiBounds(roi.shape), score: null, origin: `your region “${roi.name}”` };
  const view = currentViewRegion();
  return view ? { rect: view, score: null, origin: 'the view you framed' } : null;
}

/**
 * "Ask the slide" mode of the Ask tab: a question about the whole slide; PathoCLIP picks the regions, Patho-R1
 * answers over them. `engine` gives the Patho-R1 answerer the Ask tab uses (the local worker or a server).
 */
export function SlideAskPanel({ engine }: { engine: () => AskDependencies }) {
  const slide = useSlideStore((state) => state.slide);
  const answers = useStore(slideAskStore, (state) => state.answers);
  const busy = useStore(slideAskStore, (state) => state.busy);
  const tokenBudget = useStore(slideAskStore, (state) => state.tokenBudget);
  const nextRegions = useStore(slideAskStore, (state) => state.nextRegions);
  const askBusy = useAskStore((state) => state.busy);
  const [question, setQuestion] = useState('Is there invasive carcinoma on this slide?');
  const [optionsText, setOptionsText] = useState('');

  const ask = async (regions: SlideAskRequest['regions']) => {
    const open = slideStore.getState().slide;
    if (!open) return;
    try {
      await modelStore.ensurePathoR1();
    } catch (error) {
      appStore.getState().reportError(`Patho-R1 is not ready: ${errorDetail(error).replace(/\.$/, '')}.`);
      return;
    }
    const { catalog, pathoR1 } = modelStore.getState();
    const entry = catalog.status === 'ready' && pathoR1.status === 'ready' ? catalog.entries.find((candidate) => candidate.path === pathoR1.path) : undefined;
    const { settings, magnification, chainOfDraft } = askStore.getState();
    const options = optionsText
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    await slideAskStore
      .getState()
      .ask(
        { question, options, settings, magnification, chainOfDraft, regions },
        { slide: open.source, slideIdentity: open.identity, maxPixels: entry?.maxPixels ?? 1_003_520 },
        slideAskDependencies(engine()),
      );
  };

  if (!slide) return null;
  const shown = answers.filter((answer) => answer.slideIdentity === slide.identity);
  const addRegion = () => {
    const region = userRegion();
    if (region) slideAskStore.getState().addNextRegion(region);
    else appStore.getState().reportError('There is no region to add: select a region or frame the view first.');
  };

  return (
    <div className="space-y-3">
      <p className="text-xs text-slate-600">
        PathoCLIP ranks the slide’s tiles against the question and each option; the best regions go to Patho-R1 together, numbered as outlined on the slide.
        Magnification, Chain-of-Draft and sampling follow the region mode’s settings.
      </p>
      <IndexStatus />
      <div className="text-sm">
        <label htmlFor="slide-ask-question">Question about the slide</label>
        <textarea
          id="slide-ask-question"
          className="mt-1 w-full rounded border border-slate-300 p-2"
          rows={2}
          value={question}
          onChange={(event) => setQuestion(event.target.value)}
        />
      </div>
      <div className="text-sm">
        <label htmlFor="slide-ask-options">Answer options (one per line, optional; each is also searched for)</label>
        <textarea
          id="slide-ask-options"
          className="mt-1 w-full rounded border border-slate-300 p-2 text-xs"
          rows={2}
          value={optionsText}
          onChange={(event) => setOptionsText(event.target.value)}
        />
      </div>
      <div className="flex flex-col text-sm">
        <label htmlFor="slide-ask-budget">Token budget for the prompt (question and regions)</label>
        <input
          id="slide-ask-budget"
          type="number"
          min={256}
          step={256}
          className="w-32 rounded border border-slate-300 px-1"
          value={tokenBudget}
          onChange={(event) => slideAskStore.getState().setTokenBudget(Number(event.target.value))}
        />
      </div>
      <div className="flex gap-2">
        <button
          type="button"
          className="rounded bg-stain-hematoxylin px-3 py-1 text-white disabled:opacity-50"
          disabled={busy || askBusy}
          onClick={() => void ask('search')}
        >
          Ask the slide
        </button>
        {busy && (
          <button type="button" className="rounded border border-slate-300 px-3 py-1" onClick={() => slideAskStore.getState().stop()}>
            Stop
          </button>
        )}
      </div>
      {nextRegions.length > 0 && (
        <section aria-label="Regions for a follow-up" className="space-y-1 rounded border border-slate-200 p-2 text-xs">
          <p className="font-medium">Follow-up: ask again about these regions (renumbered in this order)</p>
          <ol className="space-y-1">
            {nextRegions.map((region, index) => (
              <li key={`${region.rect.x},${region.rect.y},${index}`} className="flex items-center gap-2">
                <span className="flex-1">
                  {index + 1}. {region.origin} · {describeRect(region)}
                </span>
                <button
                  type="button"
                  className="rounded border border-slate-300 px-1"
                  aria-label={`Remove region ${index + 1}`}
                  onClick={() => slideAskStore.getState().removeNextRegion(index)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ol>
          <div className="flex gap-2">
            <button type="button" className="rounded border border-slate-300 px-2 py-0.5" onClick={addRegion}>
              Add the selected region (or the view)
            </button>
            <button
              type="button"
              className="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-50"
              disabled={busy || askBusy}
              onClick={() => void ask(nextRegions)}
            >
              Ask again with these regions
            </button>
          </div>
        </section>
      )}
      <div className="space-y-2" aria-live="polite">
        {shown.map((answer) => (
          <SlideAnswerCard key={answer.id} answer={answer} />
        ))}
      </div>
    </div>
  );
}
