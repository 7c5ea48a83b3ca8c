/**
 * The Ask conversation: questions about a region and Patho-R1's streamed answers, one conversation per ROI
 * (follow-ups continue it). Reads the region through SlideSource.readRegion, streams through the worker
 * client, splits <think>/<answer> as tokens arrive, and keeps stopped or failed answers with their mark.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { DEFAULT_GENERATION_SETTINGS, validateGenerationSettings, type GenerationSettings } from '../../inference/generation-settings';
import type { GenerationOutcome, GenerationStats, PathoR1GenerateCallbacks, PathoR1GenerateRequest } from '../../inference/patho-r1-engine';
import { buildPathoR1Messages, type ConversationTurn } from '../../inference/patho-r1-prompt';
import { DEFAULT_ASK_MAGNIFICATION, planRegionRead } from '../../session/region-plan';
import type { RgbaImage, SlideRect, SlideSource } from '../../slide/slide-source';
import { errorDetail } from '../../ui/error-sentence';
import { streamAnswer } from './stream-answer';

export type AnswerStatus = 'reading-region' | 'streaming' | 'done' | 'stopped' | 'error';

export interface AskAnswer {
  id: number;
  /** The ROI this answer belongs to (null: the view on screen when it was asked). */
  roiId: string | null;
  /** Level-0 bounds that were read (the ROI's, or the view's). */
  bounds?: SlideRect;
  question: string;
  options: string[];
  chainOfDraft: boolean;
  /** The raw reply as streamed (tags included), so follow-ups can replay it. */
  reply: string;
  reasoning: string;
  answer: string;
  reasoningClosed: boolean;
  status: AnswerStatus;
  /** A sentence when status is 'error'. */
  error?: string;
  stats?: GenerationStats;
  /** e.g. "WASM · q4" */
  backend: string;
  /** The resolution the region was read at, for the record. */
  regionNote: string;
  createdAt: number;
}

export interface AskSource {
  slide: SlideSource;
  roiId: string | null;
  /** Level-0 bounds of the ROI (or the whole slide). */
  bounds: SlideRect;
  maxPixels: number;
}

/** What the Ask flow needs of a Patho-R1 engine (the local worker, or a remote server), and its label. */
export interface AskDependencies {
  generate(
    request: PathoR1GenerateRequest,
    callbacks: Required<Pick<PathoR1GenerateCallbacks, 'onText' | 'signal'>>,
  ): Promise<Pick<GenerationOutcome, 'stopped' | 'stats'>>;
  backendLabel(): string;
}

export interface AskState {
  answers: AskAnswer[];
  settings: GenerationSettings;
  magnification: number;
  chainOfDraft: boolean;
  busy: boolean;
  setSettings(settings: Partial<GenerationSettings>): void;
  setMagnification(magnification: number): void;
  setChainOfDraft(enabled: boolean): void;
  /** Asks about `source`; resolves when the answer is finished, stopped or failed (never rejects). */
  ask(question: string, options: string[], source: AskSource, dependencies: AskDependencies): Promise<AskAnswer>;
  stop(): void;
  /** Restores answers saved with the slide's session. */
  restore(answers: AskAnswer[]): void;
}

function sameBounds(a: SlideRect | undefined, b: SlideRect): boolean {
  return !!a && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/**
 * The answered turns a new question continues: those on the same ROI, or, without an ROI, those asked about
 * exactly the same view (a moved view is a new picture, so a new conversation).
 */
export function conversationFor(answers: readonly AskAnswer[], roiId: string | null, bounds: SlideRect): AskAnswer[] {
  return answers.filter(
    (answer) => answer.roiId === roiId && (roiId !== null || sameBounds(answer.bounds, bounds)) && (answer.status === 'done' || answer.status === 'stopped'),
  );
}

function conversationId(source: AskSource): string {
  if (source.roiId) return source.roiId;
  const { x, y, width, height } = source.bounds;
  return `view:${source.slide.metadata.name}:${x},${y},${width},${height}`;
}

export function createAskStore() {
  let nextId = 1;
  let controller: AbortController | null = null;

  const store = createStore<AskState>()((set, get) => {
    const update = (id: number, patch: Partial<AskAnswer>) =>
      set((state) => ({ answers: state.answers.map((answer) => (answer.id === id ? { ...answer, ...patch } : answer)) }));

    return {
      answers: [],
      settings: DEFAULT_GENERATION_SETTINGS,
      magnification: DEFAULT_ASK_MAGNIFICATION,
      chainOfDraft: false,
      busy: false,
      setSettings: (settings) => set((state) => ({ settings: { ...state.settings, ...settings } })),
      setMagnification: (magnification) => set({ magnification }),
      setChainOfDraft: (chainOfDraft) => set({ chainOfDraft }),
      restore: (answers) => {
        nextId = Math.max(nextId, ...answers.map((answer) => answer.id + 1));
        set({ answers });
      },

      async ask(question, options, source, dependencies) {
        const { settings, magnification, chainOfDraft } = get();
        const id = nextId++;
        const base: AskAnswer = {
          id,
          roiId: source.roiId,
          bounds: source.bounds,
          question: question.trim(),
          options,
          chainOfDraft,
          reply: '',
          reasoning: '',
          answer: '',
          reasoningClosed: false,
          status: 'reading-region',
          backend: dependencies.backendLabel(),
          regionNote: '',
          createdAt: Date.now(),
        };
        const finish = (patch: Partial<AskAnswer>): AskAnswer => {
          update(id, patch);
          set({ busy: false });
          controller = null;
          return get().answers.find((answer) => answer.id === id)!;
        };
        const earlier = conversationFor(get().answers, source.roiId, source.bounds);
        set((state) => ({ answers: [...state.answers, base], busy: true }));

        const problems = validateGenerationSettings(settings);
        if (problems.length > 0) return finish({ status: 'error', error: problems.join(' ') });
        let turns: ConversationTurn[];
        try {
          turns = [
            ...earlier.map((answer, index) => ({ question: answer.question, options: answer.options, withImage: index === 0, reply: answer.reply })),
            { question, options, withImage: earlier.length === 0 },
          ];
          buildPathoR1Messages(turns); // validates the question before the slide is read
        } catch (error) {
          return finish({ status: 'error', error: errorDetail(error) });
        }

        controller = new AbortController();
        const signal = controller.signal;
        let image: RgbaImage;
        try {
          const metadata = source.slide.metadata;
          const slideMpp = metadata.mppX !== null && metadata.mppY !== null ? (metadata.mppX + metadata.mppY) / 2 : metadata.mppX;
          const plan = planRegionRead({ width: source.bounds.width, height: source.bounds.height, slideMpp, magnification, maxPixels: source.maxPixels });
          if (!plan.ok) return finish({ status: 'error', error: plan.reason });
          image = await source.slide.readRegion(source.bounds, plan.targetMpp, signal);
          const note =
            plan.effectiveMagnification === null
              ? `${image.width} x ${image.height} px at full resolution (scale unknown)`
              : `${image.width} x ${image.height} px at ${plan.effectiveMagnification.toFixed(plan.effectiveMagnification < 10 ? 2 : 1)}x`;
          update(id, { status: 'streaming', regionNote: note });
        } catch (error) {
          if (signal.aborted) return finish({ status: 'stopped' });
          return finish({ status: 'error', error: `The region could not be read: ${errorDetail(error)}.` });
        }

        // Follow-ups carry the earlier turns (the image with the first only); the runtime reuses its KV
        // cache of the previous turn when it still holds it, else it encodes them again.
        const request = {
          messages: buildPathoR1Messages(turns, { chainOfDraft }),
          images: [image],
          settings,
          conversation: { id: conversationId(source), turn: earlier.length },
        };
        return finish(await streamAnswer(dependencies, request, signal, (patch) => update(id, patch)));
      },

      stop() {
        controller?.abort();
      },
    };
  });
  return store;
}

export const askStore = createAskStore();

export function useAskStore<T>(selector: (state: AskState) => T): T {
  return useStore(askStore, selector);
}
