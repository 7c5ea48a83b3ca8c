/**
 * The Search tab's state: the open slide's index (restored from IndexedDB, or built with progress and a
 * cancel), the queries asked of it (text or example region), each with its scores, top hits and heatmap, and
 * how the heatmap is drawn. Vanilla zustand with its surroundings injected, so Node tests drive it.
 */
import { createStore } from 'zustand/vanilla';
import type { PathoClipEngine } from '../../inference/pathoclip-engine';
import type { HeatmapOverlay } from '../../session/heatmap-overlay';
import type { SlideMetadata, SlideRect, SlideSource } from '../../slide/slide-source';
import { errorSentence } from '../../ui/error-sentence';
import { exampleQuery } from './example-query';
import { heatmapImage, type ColourScaleName, type HeatmapImage } from './heatmap';
import { buildSlideIndex } from './index-builder';
import { loadSearchIndex, saveSearchIndex, type SearchIndexRecords } from './index-persistence';
import type { IndexingProgress } from './indexing-progress';
import { scoreAllTiles, scoreRangeOf, topK, pauseForEventLoop, type TileScore } from './similarity';
import type { SlideSearchIndex } from './slide-index';
import { DEFAULT_INDEX_MAGNIFICATION } from './tile-grid';

export const DEFAULT_TOP_K = 20;

export type IndexState =
  | { status: 'no-slide' }
  | { status: 'no-model' }
  | { status: 'checking' }
  | { status: 'none' }
  | { status: 'indexing'; progress: IndexingProgress }
  | { status: 'ready'; index: SlideSearchIndex; restored: boolean; seconds: number | null }
  | { status: 'error'; message: string };

export interface SearchQuery {
  id: string;
  kind: 'text' | 'example';
  label: string;
  status: 'scoring' | 'done' | 'error';
  message?: string;
  scores?: Float32Array;
  range?: { min: number; max: number };
  hits?: TileScore[];
  milliseconds?: number;
}

export interface HeatmapDisplay {
  visible: boolean;
  opacity: number;
  colourScale: ColourScaleName;
  /** One colour range over all queries (compare them) instead of each query's own min–max. */
  sharedRange: boolean;
}

export interface SearchSlide {
  identity: string;
  source: SlideSource;
  metadata: SlideMetadata;
}

export interface SearchState {
  index: IndexState;
  magnification: number;
  queries: SearchQuery[];
  shownQueryId: string | null;
  display: HeatmapDisplay;
  /** Follows the open slide and loaded model: restores their stored index, or says none exists. */
  refresh(): Promise<void>;
  setMagnification(magnification: number): void;
  buildIndex(): Promise<void>;
  cancelIndexing(): void;
  deleteIndex(): Promise<void>;
  searchText(text: string): Promise<void>;
  searchExample(): Promise<void>;
  removeQuery(id: string): void;
  showQuery(id: string): void;
  setDisplay(patch: Partial<HeatmapDisplay>): void;
}

export interface SearchStoreDeps {
  currentSlide(): SearchSlide | null;
  engine(): PathoClipEngine | null;
  /** Level-0 bounds and name of the selected region, or null. */
  selectedRegion(): { name: string; rect: SlideRect } | null;
  records: SearchIndexRecords;
  /** Key the slide's index is stored under for `engine` (default: its model key; the app adds the weights' hash). */
  indexKey?(engine: PathoClipEngine): string;
  showHeatmap(overlay: HeatmapOverlay | null): void;
  reportError(sentence: string): void;
  topK?: number;
  pause?: () => Promise<void>;
  newId?: () => string;
  now?: () => number;
}

export function createSearchStore(deps: SearchStoreDeps) {
  const pause = deps.pause ?? pauseForEventLoop;
  const indexKey = deps.indexKey ?? ((engine: PathoClipEngine) => engine.info.modelKey);
  const now = deps.now ?? (() => performance.now());
  let nextId = 0;
  const newId = deps.newId ?? (() => `query-${++nextId}`);
  let indexing: AbortController | null = null;
  /** Changes whenever the slide or model changes, so late results of the old pair are dropped. */
  let context = 0;
  let heatmapCache: { key: string; image: HeatmapImage } | null = null;

  const store = createStore<SearchState>()((set, get) => {
    const readyIndex = () => {
      const state = get().index;
      return state.status === 'ready' ? state.index : null;
    };

    const updateHeatmap = () => {
      const index = readyIndex();
      const { queries, shownQueryId, display } = get();
      const query = queries.find((entry) => entry.id === shownQueryId);
      if (!index || !display.visible || !query?.scores || !query.range) {
        deps.showHeatmap(null);
        return;
      }
      const range = display.sharedRange ? sharedRangeOf(queries) : query.range;
      const key = `${query.id}|${display.colourScale}|${range.min}|${range.max}`;
      if (heatmapCache?.key !== key) heatmapCache = { key, image: heatmapImage(index, query.scores, display.colourScale, range) };
      const { grid } = index;
      deps.showHeatmap({
        slideIdentity: index.slideIdentity,
        ...heatmapCache.image,
        bounds: { x: 0, y: 0, width: grid.columns * grid.tileSideLevel0, height: grid.rows * grid.tileSideLevel0 },
        opacity: display.opacity,
      });
    };

    const updateQuery = (id: string, patch: Partial<SearchQuery>) =>
      set((state) => ({ queries: state.queries.map((query) => (query.id === id ? { ...query, ...patch } : query)) }));

    /** Scores a query vector made by `makeVector` and shows it; a failure stays on the query as a sentence. */
    const runQuery = async (
      kind: SearchQuery['kind'],
      label: string,
      makeVector: (index: SlideSearchIndex, engine: PathoClipEngine) => Promise<Float32Array>,
    ) => {
      const index = readyIndex();
      const engine = deps.engine();
      if (!index || !engine) return;
      const id = newId();
      const started = now();
      const mine = context;
      set((state) => ({ queries: [...state.queries, { id, kind, label, status: 'scoring' }], shownQueryId: id }));
      try {
        const vector = await makeVector(index, engine);
        const scores = await scoreAllTiles(index, vector, { pause });
        if (mine !== context) return;
        updateQuery(id, { status: 'done', scores, range: scoreRangeOf(scores), hits: topK(scores, deps.topK ?? DEFAULT_TOP_K), milliseconds: now() - started });
      } catch (error) {
        if (mine !== context) return;
        updateQuery(id, { status: 'error', message: errorSentence(`Searching for ${label} failed`, error, 'Try again, or index the slide again') });
      }
      updateHeatmap();
    };

    return {
      index: { status: 'no-slide' },
      magnification: DEFAULT_INDEX_MAGNIFICATION,
      queries: [],
      shownQueryId: null,
      display: { visible: true, opacity: 0.5, colourScale: 'viridis', sharedRange: false },

      async refresh() {
        context += 1;
        const mine = context;
        indexing?.abort();
        indexing = null;
        heatmapCache = null;
        set({ queries: [], shownQueryId: null });
        deps.showHeatmap(null);
        const slide = deps.currentSlide();
        const engine = deps.engine();
        if (!slide) return set({ index: { status: 'no-slide' } });
        if (!engine) return set({ index: { status: 'no-model' } });
        set({ index: { status: 'checking' } });
        try {
          const index = await loadSearchIndex(deps.records, slide, indexKey(engine));
          if (mine !== context) return;
          set({ index: index ? { status: 'ready', index, restored: true, seconds: null } : { status: 'none' } });
        } catch (error) {
          if (mine !== context) return;
          deps.reportError(errorSentence('The saved search index of this slide could not be read', error, 'Index the slide again'));
          set({ index: { status: 'none' } });
        }
      },

      setMagnification: (magnification) => set({ magnification }),

      async buildIndex() {
        const slide = deps.currentSlide();
        const engine = deps.engine();
        if (!slide || !engine || get().index.status === 'indexing') return;
        const mine = context;
        const controller = new AbortController();
        indexing = controller;
        const started = now();
        set({
          index: { status: 'indexing', progress: { phase: 'finding tissue', done: 0, total: 0, tilesPerSecond: null, secondsLeft: null } },
          queries: [],
          shownQueryId: null,
        });
        updateHeatmap();
        try {
          const index = await buildSlideIndex({
            source: slide.source,
            slideIdentity: slide.identity,
            engine,
            modelKey: indexKey(engine),
            magnification: get().magnification,
            signal: controller.signal,
            onProgress: (progress) => {
              if (mine === context && !controller.signal.aborted) set({ index: { status: 'indexing', progress } });
            },
          });
          if (mine !== context) return;
          set({ index: { status: 'ready', index, restored: false, seconds: (now() - started) / 1000 } });
          try {
            await saveSearchIndex(deps.records, index);
          } catch (error) {
            deps.reportError(
              errorSentence('The search index could not be saved in this browser', error, 'It works until you reload the page; free some storage to keep it'),
            );
          }
        } catch (error) {
          if (mine !== context) return;
          if (controller.signal.aborted) set({ index: { status: 'none' } });
          else
            set({
              index: {
                status: 'error',
                message: errorSentence(`Indexing ${slide.metadata.name} failed`, error, 'Check the slide and the model, then index again'),
              },
            });
        } finally {
          if (indexing === controller) indexing = null;
        }
      },

      cancelIndexing() {
        indexing?.abort();
      },

      async deleteIndex() {
        const index = readyIndex();
        if (!index) return;
        context += 1;
        set({ index: { status: 'none' }, queries: [], shownQueryId: null });
        updateHeatmap();
        try {
          await deps.records.remove(index.slideIdentity, index.modelKey);
        } catch (error) {
          deps.reportError(errorSentence('The saved search index could not be deleted', error));
        }
      },

      searchText(text) {
        const trimmed = text.replace(/\s+/g, ' ').trim();
        if (!trimmed) return Promise.resolve();
        return runQuery('text', `“${trimmed}”`, async (_index, engine) => {
          const [vector] = await engine.embedTexts([trimmed]);
          if (!vector) throw new Error('the model returned no embedding for the text');
          return vector;
        });
      },

      searchExample() {
        const region = deps.selectedRegion();
        const slide = deps.currentSlide();
        if (!region || !slide) return Promise.resolve();
        return runQuery('example', `like ${region.name}`, async (index, engine) => (await exampleQuery(index, region.rect, slide.source, engine)).vector);
      },

      removeQuery(id) {
        set((state) => {
          const queries = state.queries.filter((query) => query.id !== id);
          return { queries, shownQueryId: state.shownQueryId === id ? (queries.at(-1)?.id ?? null) : state.shownQueryId };
        });
        updateHeatmap();
      },

      showQuery(id) {
        set({ shownQueryId: id });
        updateHeatmap();
      },

      setDisplay(patch) {
        set((state) => ({ display: { ...state.display, ...patch } }));
        updateHeatmap();
      },
    };
  });
  return store;
}

export type SearchStore = ReturnType<typeof createSearchStore>;

/** The colour range spanning every finished query (for comparing them on one scale). */
export function sharedRangeOf(queries: readonly SearchQuery[]): { min: number; max: number } {
  const ranges = queries.flatMap((query) => (query.range ? [query.range] : []));
  if (ranges.length === 0) return { min: 0, max: 0 };
  return { min: Math.min(...ranges.map((range) => range.min)), max: Math.max(...ranges.map((range) => range.max)) };
}
