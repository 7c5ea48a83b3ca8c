/**
 * "Ask the slide": a question about the whole slide. PathoCLIP's index of the slide ranks its tiles against the
 * question and each option, the best tiles become a few regions, the token budget decides how many and at which
 * magnification, and Patho-R1 answers over all of them in one prompt ("Region 1", "Region 2"… as the user sees
 * them outlined). The regions used stay editable: a follow-up can drop some, add the user's own, and ask again.
 * Vanilla zustand with its surroundings injected, so Node tests drive it.
 */
import { createStore } from 'zustand/vanilla';
import { validateGenerationSettings, type GenerationSettings } from '../../../inference/generation-settings';
import type { GenerationStats } from '../../../inference/patho-r1-engine';
import { buildPathoR1Messages, regionLabel, type ChatMessage } from '../../../inference/patho-r1-prompt';
import type { RgbaImage, SlideRect, SlideSource } from '../../../slide/slide-source';
import { errorDetail } from '../../../ui/error-sentence';
import type { AskDependencies } from '../ask-store';
import { streamAnswer } from '../stream-answer';
import { estimateTextTokens, planRegionBudget, type PlannedRegion } from './region-budget';
import { selectRegions, type IndexedGrid, type RegionSelectionOptions, DEFAULT_REGION_SELECTION } from './region-selection';
import { slideQueries } from './slide-queries';

/** Qwen2.5-VL's min_pixels (56 x 56); the catalog reads only max_pixels from a model's processor config. */
export const QWEN_MIN_PIXELS = 3136;
export const DEFAULT_TOKEN_BUDGET = 4096;
/** Below 5x a region shows architecture only; past it the plan shows fewer, larger regions instead. */
export const MIN_REGION_MAGNIFICATION = 5;
/** The chat template's own tokens around the text (role markers, newlines), counted generously. */
const TEMPLATE_TOKENS = 16;

export type SlideAnswerStatus = 'finding-regions' | 'reading-regions' | 'streaming' | 'done' | 'stopped' | 'error';

/** A region that may be shown to Patho-R1: found by PathoCLIP, or added by the user. */
export interface CandidateRegion {
  rect: SlideRect;
  /** Standardised PathoCLIP score, null for a region the user added. */
  score: number | null;
  /** Where it came from, e.g. 'PathoCLIP: “Adenocarcinoma”' or 'your region “ROI 1”'. */
  origin: string;
}

/** A region as Patho-R1 saw it, numbered as in the prompt. */
export interface ShownRegion extends CandidateRegion {
  number: number;
  /** e.g. "448 x 448 px at 20x". */
  readNote: string;
  tokens: number;
}

export interface SlideAnswer {
  id: number;
  slideIdentity: string;
  question: string;
  options: string[];
  status: SlideAnswerStatus;
  /** The regions in the prompt, in prompt order (empty until planned). */
  regions: ShownRegion[];
  /** The budget's sentence when it had to show fewer or coarser regions; null when all fit as asked. */
  budgetNote: string | null;
  promptTokens: number | null;
  reply: string;
  reasoning: string;
  answer: string;
  reasoningClosed: boolean;
  error?: string;
  stats?: GenerationStats;
  backend: string;
  createdAt: number;
}

/** The slide's tile index as the flow uses it: its grid, the cell of each tile, and text queries scored over it. */
export interface SlideTileIndex {
  grid: IndexedGrid;
  cells: ArrayLike<number>;
  /** One score per tile for each text, in tile order. */
  scoreTexts(texts: readonly string[], signal: AbortSignal): Promise<Float32Array[]>;
}

/** What the flow needs beyond a Patho-R1 engine: the slide's PathoCLIP index, and where to outline the regions. */
export interface SlideAskDependencies extends AskDependencies {
  slideIndex(signal: AbortSignal): Promise<SlideTileIndex>;
  showRegions(slideIdentity: string, regions: readonly ShownRegion[]): void;
}

export interface SlideAskSource {
  slide: SlideSource;
  slideIdentity: string;
  /** The processor's max_pixels per image. */
  maxPixels: number;
}

export interface SlideAskRequest {
  question: string;
  options: string[];
  settings: GenerationSettings;
  magnification: number;
  chainOfDraft: boolean;
  /** 'search' finds regions with PathoCLIP; a list asks about exactly those (a follow-up). */
  regions: 'search' | readonly CandidateRegion[];
}

export interface SlideAskState {
  /** Whether the Ask tab shows "Ask the slide" (kept here so switching tabs does not lose it). */
  slideMode: boolean;
  answers: SlideAnswer[];
  tokenBudget: number;
  busy: boolean;
  /** The regions a follow-up will ask about: the last answer's, as the user edited them. */
  nextRegions: CandidateRegion[];
  setSlideMode(on: boolean): void;
  setTokenBudget(tokens: number): void;
  removeNextRegion(index: number): void;
  addNextRegion(region: CandidateRegion): void;
  /** Resolves when the answer is finished, stopped or failed (never rejects). */
  ask(request: SlideAskRequest, source: SlideAskSource, dependencies: SlideAskDependencies): Promise<SlideAnswer>;
  stop(): void;
  /** Restores answers saved with the slide; a follow-up starts from the last one's regions. */
  restore(answers: SlideAnswer[]): void;
}

function slideMppOf(slide: SlideSource): number | null {
  const { mppX, mppY } = slide.metadata;
  const known = [mppX, mppY].filter((value): value is number => value !== null && Number.isFinite(value) && value > 0);
  return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0) / known.length;
}

function readNoteOf(region: PlannedRegion): string {
  const { outputWidth, outputHeight, effectiveMagnification } = region.read;
  const at =
    effectiveMagnification === null ? 'full resolution (scale unknown)' : `${Number(effectiveMagnification.toFixed(effectiveMagnification < 10 ? 2 : 1))}x`;
  return `${outputWidth} x ${outputHeight} px at ${at}`;
}

/** Text tokens of the prompt without its images (labels are counted with each region). */
function textTokensOf(messages: ChatMessage[]): number {
  const text = messages.flatMap((message) => message.content.map((part) => (part.type === 'text' ? part.text : ''))).join('');
  return estimateTextTokens(text) + TEMPLATE_TOKENS;
}

export function createSlideAskStore(selection: RegionSelectionOptions = DEFAULT_REGION_SELECTION) {
  let nextId = 1;
  let controller: AbortController | null = null;

  return createStore<SlideAskState>()((set, get) => {
    const update = (id: number, patch: Partial<SlideAnswer>) =>
      set((state) => ({ answers: state.answers.map((answer) => (answer.id === id ? { ...answer, ...patch } : answer)) }));

    return {
      slideMode: false,
      answers: [],
      tokenBudget: DEFAULT_TOKEN_BUDGET,
      busy: false,
      nextRegions: [],
      setSlideMode: (slideMode) => set({ slideMode }),
      restore: (answers) => {
        nextId = Math.max(nextId, ...answers.map((answer) => answer.id + 1));
        const last = answers.at(-1);
        set({ answers, nextRegions: last ? last.regions.map(({ rect, score, origin }) => ({ rect, score, origin })) : [] });
      },
      setTokenBudget: (tokenBudget) => set({ tokenBudget }),
      removeNextRegion: (index) => set((state) => ({ nextRegions: state.nextRegions.filter((_, k) => k !== index) })),
      addNextRegion: (region) => set((state) => ({ nextRegions: [...state.nextRegions, region] })),

      async ask(request, source, dependencies) {
        const id = nextId++;
        const base: SlideAnswer = {
          id,
          slideIdentity: source.slideIdentity,
          question: request.question.trim(),
          options: request.options,
          status: 'finding-regions',
          regions: [],
          budgetNote: null,
          promptTokens: null,
          reply: '',
          reasoning: '',
          answer: '',
          reasoningClosed: false,
          backend: dependencies.backendLabel(),
          createdAt: Date.now(),
        };
        const finish = (patch: Partial<SlideAnswer>): SlideAnswer => {
          update(id, patch);
          set({ busy: false });
          controller = null;
          return get().answers.find((answer) => answer.id === id)!;
        };
        set((state) => ({ answers: [...state.answers, base], busy: true }));

        const problems = validateGenerationSettings(request.settings);
        if (problems.length > 0) return finish({ status: 'error', error: problems.join(' ') });
        if (!(Number.isFinite(get().tokenBudget) && get().tokenBudget > 0))
          return finish({ status: 'error', error: 'The token budget must be a positive number of tokens.' });
        let oneRegionPrompt: ChatMessage[];
        try {
          // Validates the question before any work, and sizes the text for the budget.
          oneRegionPrompt = buildPathoR1Messages([{ question: request.question, options: request.options, withImage: true, regions: 1 }], {
            chainOfDraft: request.chainOfDraft,
          });
        } catch (error) {
          return finish({ status: 'error', error: errorDetail(error) });
        }

        controller = new AbortController();
        const signal = controller.signal;
        let candidates: readonly CandidateRegion[];
        if (request.regions === 'search') {
          try {
            const index = await dependencies.slideIndex(signal);
            const queries = slideQueries(request.question, request.options);
            const perQuery = await index.scoreTexts(queries, signal);
            candidates = selectRegions(index.grid, index.cells, perQuery, selection).map((region) => ({
              rect: region.rect,
              score: region.score,
              origin: `PathoCLIP: “${queries[region.query]}”`,
            }));
          } catch (error) {
            if (signal.aborted || (error instanceof DOMException && error.name === 'AbortError'))
              return finish({ status: 'stopped', error: 'Stopped before any region was chosen.' });
            return finish({
              status: 'error',
              error: `The regions for this question could not be found: ${errorDetail(error).replace(/\.$/, '')}. Index the slide in the Search tab, or ask about a region instead.`,
            });
          }
        } else {
          candidates = request.regions;
          if (candidates.length === 0) return finish({ status: 'error', error: 'No region is left to ask about: add a region, or find regions again.' });
        }

        const plan = planRegionBudget({
          regions: candidates.map((candidate) => ({ rect: candidate.rect, score: candidate.score ?? Infinity })),
          slideMpp: slideMppOf(source.slide),
          magnification: request.magnification,
          minMagnification: MIN_REGION_MAGNIFICATION,
          limits: { minPixels: QWEN_MIN_PIXELS, maxPixels: source.maxPixels },
          tokenBudget: get().tokenBudget,
          textTokens: textTokensOf(oneRegionPrompt),
        });
        if (!plan.ok) return finish({ status: 'error', error: plan.reason });
        const regions: ShownRegion[] = plan.regions.map((region, k) => ({
          rect: region.rect,
          score: region.score === Infinity ? null : region.score,
          origin: region.sources
            .map((position) => candidates[position]!.origin)
            .filter((origin, i, all) => all.indexOf(origin) === i)
            .join('; '),
          number: k + 1,
          readNote: readNoteOf(region),
          tokens: region.read.tokens,
        }));
        update(id, { status: 'reading-regions', regions, budgetNote: plan.note, promptTokens: plan.promptTokens });
        set({ nextRegions: regions.map(({ rect, score, origin }) => ({ rect, score, origin })) });
        dependencies.showRegions(source.slideIdentity, regions);

        const images: RgbaImage[] = [];
        try {
          for (const region of plan.regions) images.push(await source.slide.readRegion(region.rect, region.read.targetMpp, signal));
        } catch (error) {
          if (signal.aborted) return finish({ status: 'stopped' });
          return finish({ status: 'error', error: `${regionLabel(images.length)} could not be read: ${errorDetail(error).replace(/\.$/, '')}.` });
        }

        update(id, { status: 'streaming' });
        const generateRequest = {
          messages: buildPathoR1Messages([{ question: request.question, options: request.options, withImage: true, regions: images.length }], {
            chainOfDraft: request.chainOfDraft,
          }),
          images,
          settings: request.settings,
        };
        return finish(await streamAnswer(dependencies, generateRequest, signal, (patch) => update(id, patch)));
      },

      stop() {
        controller?.abort();
      },
    };
  });
}

export type SlideAskStore = ReturnType<typeof createSlideAskStore>;

export const slideAskStore = createSlideAskStore();
