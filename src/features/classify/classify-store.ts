/**
 * The Classify tab: label sets (presets plus the user's own, saved in this browser) and zero-shot results for
 * regions. Class text embeddings are computed once per label set and model and kept for the session; a region
 * is read at the chosen magnification, cut into model-sized tiles, embedded and mean-pooled, then scored.
 */
import { storageWriteSentence } from '../../storage/storage-errors';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { PathoClipEngine } from '../../inference/pathoclip-engine';
import { DEFAULT_ASK_MAGNIFICATION, planRegionRead } from '../../session/region-plan';
import type { SlideRect, SlideSource } from '../../slide/slide-source';
import { appStore } from '../../session/app-store';
import { browserAppRecords, type AppRecords } from '../../storage/app-records';
import { errorDetail } from '../../ui/error-sentence';
import { PRESET_LABEL_SETS, classPrompts, labelSetKey, validateLabelSet, type LabelSet } from './label-sets';
import { MAX_REGION_TILES, regionTiles } from './region-tiles';
import { meanEmbedding, zeroShotClassify, type ClassScore } from './zero-shot';

const SAVED_LABEL_SETS_KEY = 'classify.labelSets';

export interface ClassifyResult {
  id: number;
  status: 'reading-region' | 'embedding' | 'done' | 'stopped' | 'error';
  labelSetId: string;
  /** The class names as they were when classified (the set may be edited later). */
  classNames: string[];
  roiId: string | null;
  bounds: SlideRect;
  scores: ClassScore[];
  /** e.g. "9 tiles of 224 px at 20x" */
  note: string;
  error?: string;
}

export interface ClassifySource {
  slide: SlideSource;
  roiId: string | null;
  bounds: SlideRect;
}

export interface ClassifyState {
  labelSets: LabelSet[];
  selectedId: string;
  magnification: number;
  result: ClassifyResult | null;
  busy: boolean;
  /** Reads the user's saved label sets (after presets). */
  loadSaved(): Promise<void>;
  select(id: string): void;
  setMagnification(magnification: number): void;
  /** Adds or replaces a user label set (validated; throws a sentence) and saves the list. */
  saveLabelSet(labelSet: LabelSet): Promise<void>;
  deleteLabelSet(id: string): Promise<void>;
  classify(source: ClassifySource, engine: () => Promise<PathoClipEngine>): Promise<ClassifyResult>;
  stop(): void;
}

function isSavedLabelSet(value: unknown): value is LabelSet {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<LabelSet>;
  if (typeof candidate.id !== 'string' || candidate.id.startsWith('preset:')) return false;
  try {
    validateLabelSet({ name: candidate.name, classnames: candidate.classnames, templates: candidate.templates });
    return true;
  } catch {
    return false; // damaged or from an older format: dropped, never breaks the tab
  }
}

export function createClassifyStore(records: AppRecords, reportError: (sentence: string) => void) {
  let nextId = 1;
  let controller: AbortController | null = null;
  /** Class embeddings per model and label-set content. */
  const classEmbeddingCache = new Map<string, Float32Array[]>();

  const store = createStore<ClassifyState>()((set, get) => {
    const persist = async () => {
      const own = get().labelSets.filter((labelSet) => !labelSet.builtIn);
      await records.put(SAVED_LABEL_SETS_KEY, own).catch((error: unknown) => reportError(storageWriteSentence('your label sets', error)));
    };

    const classEmbeddings = async (engine: PathoClipEngine, labelSet: LabelSet, signal: AbortSignal): Promise<Float32Array[]> => {
      const key = `${engine.info.modelKey}|${labelSetKey(labelSet)}`;
      const cached = classEmbeddingCache.get(key);
      if (cached) return cached;
      const prompts = classPrompts(labelSet);
      const flat = await engine.embedTexts(prompts.flat(), signal);
      let offset = 0;
      const embeddings = prompts.map((classPromptList) => {
        const mine = flat.slice(offset, offset + classPromptList.length);
        offset += classPromptList.length;
        return meanEmbedding(mine);
      });
      classEmbeddingCache.set(key, embeddings);
      return embeddings;
    };

    return {
      labelSets: [...PRESET_LABEL_SETS],
      selectedId: PRESET_LABEL_SETS[0]!.id,
      magnification: DEFAULT_ASK_MAGNIFICATION,
      result: null,
      busy: false,

      async loadSaved() {
        try {
          const saved = await records.get(SAVED_LABEL_SETS_KEY);
          const own = Array.isArray(saved) ? saved.filter(isSavedLabelSet) : [];
          set((state) => ({ labelSets: [...state.labelSets.filter((labelSet) => labelSet.builtIn), ...own] }));
        } catch (error) {
          reportError(`Your saved label sets could not be read (${errorDetail(error)}); the presets still work.`);
        }
      },

      select: (selectedId) => set({ selectedId }),
      setMagnification: (magnification) => set({ magnification }),

      async saveLabelSet(labelSet) {
        const clean: LabelSet = { id: labelSet.id, ...validateLabelSet(labelSet) };
        if (get().labelSets.some((other) => other.id === clean.id && other.builtIn)) throw new Error('A preset cannot be changed: save it under a new name.');
        set((state) => ({
          labelSets: state.labelSets.some((other) => other.id === clean.id)
            ? state.labelSets.map((other) => (other.id === clean.id ? clean : other))
            : [...state.labelSets, clean],
          selectedId: clean.id,
        }));
        await persist();
      },

      async deleteLabelSet(id) {
        if (get().labelSets.find((labelSet) => labelSet.id === id)?.builtIn) return;
        set((state) => ({
          labelSets: state.labelSets.filter((labelSet) => labelSet.id !== id),
          selectedId: state.selectedId === id ? PRESET_LABEL_SETS[0]!.id : state.selectedId,
        }));
        await persist();
      },

      async classify(source, engineProvider) {
        const labelSet = get().labelSets.find((candidate) => candidate.id === get().selectedId) ?? PRESET_LABEL_SETS[0]!;
        const id = nextId++;
        controller?.abort();
        controller = new AbortController();
        const signal = controller.signal;
        const base: ClassifyResult = {
          id,
          status: 'reading-region',
          labelSetId: labelSet.id,
          classNames: labelSet.classnames.map((synonyms) => synonyms[0]!),
          roiId: source.roiId,
          bounds: source.bounds,
          scores: [],
          note: '',
        };
        set({ result: base, busy: true });
        const finish = (patch: Partial<ClassifyResult>): ClassifyResult => {
          const result = { ...base, ...get().result, ...patch, id };
          if (get().result?.id === id) set({ result, busy: false });
          return result;
        };
        try {
          const engine = await engineProvider();
          const size = engine.info.imageSize;
          const metadata = source.slide.metadata;
          const slideMpp = metadata.mppX !== null && metadata.mppY !== null ? (metadata.mppX + metadata.mppY) / 2 : metadata.mppX;
          const plan = planRegionRead({
            width: source.bounds.width,
            height: source.bounds.height,
            slideMpp,
            magnification: get().magnification,
            maxPixels: size * size * MAX_REGION_TILES,
          });
          if (!plan.ok) return finish({ status: 'error', error: plan.reason });
          const image = await source.slide.readRegion(source.bounds, plan.targetMpp, signal);
          const tiles = regionTiles(image, size);
          const at =
            plan.effectiveMagnification === null ? 'full resolution' : `${plan.effectiveMagnification.toFixed(plan.effectiveMagnification < 10 ? 2 : 1)}x`;
          set((state) =>
            state.result?.id === id
              ? { result: { ...state.result, status: 'embedding', note: `${tiles.length} tile${tiles.length === 1 ? '' : 's'} of ${size} px at ${at}` } }
              : state,
          );
          const textEmbeddings = await classEmbeddings(engine, labelSet, signal);
          const imageEmbedding = meanEmbedding(await engine.embedImages(tiles, signal));
          const scores = zeroShotClassify(imageEmbedding, textEmbeddings, engine.info.logitScale, engine.info.logitBias);
          return finish({ status: 'done', scores });
        } catch (error) {
          if (signal.aborted) return finish({ status: 'stopped' });
          return finish({ status: 'error', error: `The region could not be classified: ${errorDetail(error).replace(/\.$/, '')}.` });
        }
      },

      stop() {
        controller?.abort();
      },
    };
  });
  return store;
}

export type ClassifyStore = ReturnType<typeof createClassifyStore>;

/** The app's Classify tab state; errors reach the banner as sentences. */
export const classifyStore = createClassifyStore(browserAppRecords(), (sentence) => appStore.getState().reportError(sentence));

export function useClassifyStore<T>(selector: (state: ClassifyState) => T): T {
  return useStore(classifyStore, selector);
}
