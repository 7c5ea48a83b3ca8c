/**
 * The Ask conversations: questions about a region (or a view) and Patho-R1's streamed answers, in threads like
 * a chat assistant's. A question continues the active conversation when it is about the same region (or the
 * same view); "New conversation" starts an empty one, so earlier answers never reach the new prompt. Reads the
 * region through SlideSource.readRegion, streams through the worker client, splits <think>/<answer> as tokens
 * arrive, and keeps stopped or failed answers with their mark.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { DEFAULT_GENERATION_SETTINGS, validateGenerationSettings, type GenerationSettings } from '../../inference/generation-settings';
import type { GenerationOutcome, GenerationStats, PathoR1GenerateCallbacks, PathoR1GenerateRequest } from '../../inference/patho-r1-engine';
import { buildPathoR1Messages, type ConversationTurn } from '../../inference/patho-r1-prompt';
import { DEFAULT_ASK_MAGNIFICATION } from '../../session/region-plan';
import type { RgbaImage, SlideRect, SlideSource } from '../../slide/slide-source';
import { errorDetail } from '../../ui/error-sentence';
import { readAskRegion } from './ask-region';
import { streamAnswer } from './stream-answer';

export type AnswerStatus = 'reading-region' | 'streaming' | 'done' | 'stopped' | 'error';

export interface AskAnswer {
  id: number;
  /** The thread this answer belongs to (answers saved before threads existed get one in storage/schema.ts). */
  conversationId: string;
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
  /** Pieces of text streamed so far (one per generated token), for the live indicator. */
  tokens?: number;
  /** While the first token is awaited: when it should come, from this computer's measured speed (local model only). */
  expectedFirstTokenAt?: number;
  /** e.g. "WASM · q4" */
  backend: string;
  /** The model that answered (its folder, or the server's model name); absent in answers saved before it was kept. */
  model?: string;
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
  /** Which model answers (for the record and the printable report). */
  modelLabel?(): string;
  /** Estimated ms from the start of generation to the first token for an image of this size, when known. */
  firstTokenEstimateMs?(width: number, height: number): number | null;
  /**
   * The same for this very image, taking into account that it may already be read (or half-read) ahead of the
   * question (region-pre-read.ts); null or absent: use firstTokenEstimateMs.
   */
  firstTokenEstimateForImageMs?(image: RgbaImage): number | null;
}

export interface AskState {
  answers: AskAnswer[];
  /** The conversation the panel shows and a question continues; null: a new one, nothing asked yet. */
  activeConversationId: string | null;
  settings: GenerationSettings;
  magnification: number;
  chainOfDraft: boolean;
  /** Read regions at the full size Patho-R1 takes even where this computer's processor makes that slow. */
  fullSizeRegions: boolean;
  /** Read a selected region's image while the question is typed (region-pre-read.ts). */
  preReadRegions: boolean;
  busy: boolean;
  setSettings(settings: Partial<GenerationSettings>): void;
  setMagnification(magnification: number): void;
  setChainOfDraft(enabled: boolean): void;
  setFullSizeRegions(enabled: boolean): void;
  setPreReadRegions(enabled: boolean): void;
  /**
   * Asks about `source`, continuing the active conversation when it is about the same region (or exactly the
   * same view), else starting a new one; resolves when the answer is finished, stopped or failed (never rejects).
   */
  ask(question: string, options: string[], source: AskSource, dependencies: AskDependencies): Promise<AskAnswer>;
  /** Asks the last question of its conversation again, replacing its answer. */
  regenerate(answerId: number, source: AskSource, dependencies: AskDependencies): Promise<AskAnswer | null>;
  /** Removes one answer (and its question) from its conversation; later questions no longer see it. */
  deleteAnswer(answerId: number): void;
  /** Starts an empty conversation: the next question carries nothing of the earlier ones. */
  newConversation(): void;
  openConversation(conversationId: string): void;
  /**
   * The region selected on the slide changed: show that region's newest conversation (a new one when it has
   * none); with no region selected, leave a region's conversation for a new one about the view.
   */
  followSelection(roiId: string | null): void;
  stop(): void;
  /** Restores answers saved with the slide's session. */
  restore(answers: AskAnswer[]): void;
}

function sameBounds(a: SlideRect | undefined, b: SlideRect): boolean {
  return !!a && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/** Whether a question about `source` continues `conversation` (same ROI, or without one exactly the same view). */
function continues(conversation: readonly AskAnswer[], source: Pick<AskSource, 'roiId' | 'bounds'>): boolean {
  const first = conversation[0];
  return !!first && first.roiId === source.roiId && (source.roiId !== null || sameBounds(first.bounds, source.bounds));
}

/** The answered turns of a conversation, which a follow-up replays. */
function answeredTurns(conversation: readonly AskAnswer[]): AskAnswer[] {
  return conversation.filter((answer) => answer.status === 'done' || answer.status === 'stopped');
}

let conversationCounter = 0;
function newConversationId(): string {
  return `c${Date.now().toString(36)}-${(conversationCounter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export function createAskStore() {
  let nextId = 1;
  let controller: AbortController | null = null;

  const store = createStore<AskState>()((set, get) => {
    const update = (id: number, patch: Partial<AskAnswer>) =>
      set((state) => ({ answers: state.answers.map((answer) => (answer.id === id ? { ...answer, ...patch } : answer)) }));

    return {
      answers: [],
      activeConversationId: null,
      settings: DEFAULT_GENERATION_SETTINGS,
      magnification: DEFAULT_ASK_MAGNIFICATION,
      chainOfDraft: false,
      fullSizeRegions: false,
      preReadRegions: true,
      busy: false,
      setSettings: (settings) => set((state) => ({ settings: { ...state.settings, ...settings } })),
      setMagnification: (magnification) => set({ magnification }),
      setChainOfDraft: (chainOfDraft) => set({ chainOfDraft }),
      setFullSizeRegions: (fullSizeRegions) => set({ fullSizeRegions }),
      setPreReadRegions: (preReadRegions) => set({ preReadRegions }),
      restore: (answers) => {
        nextId = Math.max(nextId, ...answers.map((answer) => answer.id + 1));
        set({ answers, activeConversationId: null });
      },
      newConversation: () => set({ activeConversationId: null }),
      openConversation: (conversationId) => set({ activeConversationId: conversationId }),
      followSelection(roiId) {
        const { answers, activeConversationId } = get();
        const active = answers.find((answer) => answer.conversationId === activeConversationId);
        if (active && active.roiId === roiId) return;
        if (roiId === null) {
          if (active) set({ activeConversationId: null });
          return;
        }
        const newest = answers.findLast((answer) => answer.roiId === roiId);
        set({ activeConversationId: newest?.conversationId ?? null });
      },
      deleteAnswer: (answerId) => set((state) => ({ answers: state.answers.filter((answer) => answer.id !== answerId) })),
      async regenerate(answerId, source, dependencies) {
        const answer = get().answers.find((candidate) => candidate.id === answerId);
        if (!answer || get().busy) return null;
        const conversation = get().answers.filter((candidate) => candidate.conversationId === answer.conversationId);
        if (conversation.at(-1)?.id !== answerId) return null;
        set((state) => ({ answers: state.answers.filter((candidate) => candidate.id !== answerId), activeConversationId: answer.conversationId }));
        return get().ask(answer.question, answer.options, source, dependencies);
      },

      async ask(question, options, source, dependencies) {
        const { settings, magnification, chainOfDraft, fullSizeRegions, answers, activeConversationId } = get();
        const id = nextId++;
        const active = answers.filter((answer) => answer.conversationId === activeConversationId);
        const conversationId = activeConversationId !== null && continues(active, source) ? activeConversationId : newConversationId();
        const earlier = conversationId === activeConversationId ? answeredTurns(active) : [];
        const base: AskAnswer = {
          id,
          conversationId,
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
          ...(dependencies.modelLabel && { model: dependencies.modelLabel() }),
          regionNote: '',
          createdAt: Date.now(),
        };
        const finish = (patch: Partial<AskAnswer>): AskAnswer => {
          update(id, { ...patch, expectedFirstTokenAt: undefined });
          set({ busy: false });
          controller = null;
          return get().answers.find((answer) => answer.id === id)!;
        };
        set((state) => ({ answers: [...state.answers, base], busy: true, activeConversationId: conversationId }));

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
          const estimate = dependencies.firstTokenEstimateMs;
          const read = await readAskRegion(source, { magnification, fullSizeRegions, ...(estimate && { estimate }) }, signal);
          if (!read.ok) return finish({ status: 'error', error: read.reason });
          image = read.image;
          // A follow-up reuses the first turn's encoded image, so the estimate (image + prompt) is for first turns only;
          // an image read ahead (or still being read) shortens it.
          const firstTokenMs =
            earlier.length === 0 ? (dependencies.firstTokenEstimateForImageMs?.(image) ?? estimate?.(image.width, image.height) ?? null) : null;
          update(id, { status: 'streaming', regionNote: read.note, ...(firstTokenMs !== null && { expectedFirstTokenAt: Date.now() + firstTokenMs }) });
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
          conversation: { id: conversationId, turn: earlier.length },
        };
        let tokens = 0;
        return finish(await streamAnswer(dependencies, request, signal, (patch) => update(id, { ...patch, tokens: ++tokens })));
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
