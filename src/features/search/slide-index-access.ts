/**
 * The open slide's PathoCLIP index for other features ("Ask the slide"): the one the Search tab holds, restored
 * from IndexedDB, or built with the Search store's progress and cancel when missing; and text queries scored
 * against it. Going through the Search store keeps one index per slide and model, and one progress bar.
 */
import { useStore } from 'zustand';
import { modelStore } from '../models';
import { followSlideAndModel, searchStore } from './search-session';
import type { IndexState } from './search-store';
import { scoreAllTiles } from './similarity';
import type { SlideSearchIndex } from './slide-index';

export type SlideIndexState = IndexState;

export function useSlideIndexState(): SlideIndexState {
  return useStore(searchStore, (state) => state.index);
}

/** Resolves with the first index state that `settled` accepts (now or later). */
function indexStateWhere(settled: (state: IndexState) => boolean): Promise<IndexState> {
  const now = searchStore.getState().index;
  if (settled(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const unsubscribe = searchStore.subscribe((state) => {
      if (!settled(state.index)) return;
      unsubscribe();
      resolve(state.index);
    });
  });
}

const waiting = (state: IndexState) => state.status === 'checking' || state.status === 'indexing';

/**
 * The open slide's index with the loaded (or preferred) PathoCLIP: restored, or built now. Rejects with a
 * sentence when the model cannot load or indexing fails, and with an AbortError when indexing is cancelled
 * (from the Search tab or through `signal`).
 */
export async function ensureSlideIndex(signal?: AbortSignal): Promise<SlideSearchIndex> {
  await modelStore.ensurePathoClip();
  signal?.throwIfAborted();
  followSlideAndModel();
  const stopIndexing = () => searchStore.getState().cancelIndexing();
  signal?.addEventListener('abort', stopIndexing);
  try {
    let state = await indexStateWhere((next) => !waiting(next));
    // A slide or model the store has not caught up with yet: look again.
    if (state.status === 'no-slide' || state.status === 'no-model') {
      await searchStore.getState().refresh();
      state = await indexStateWhere((next) => !waiting(next));
    }
    if (state.status === 'none' || state.status === 'error') {
      signal?.throwIfAborted();
      await searchStore.getState().buildIndex();
      state = await indexStateWhere((next) => !waiting(next));
    }
    signal?.throwIfAborted();
    if (state.status === 'ready') return state.index;
    if (state.status === 'error') throw new Error(state.message);
    if (state.status === 'none') throw new DOMException('Indexing the slide was cancelled.', 'AbortError');
    throw new Error(state.status === 'no-slide' ? 'No slide is open.' : 'PathoCLIP is not loaded.');
  } finally {
    signal?.removeEventListener('abort', stopIndexing);
  }
}

export function cancelSlideIndexing(): void {
  searchStore.getState().cancelIndexing();
}

/** Each text's cosine similarity with every tile of `index` (one array per text, in tile order). */
export async function scoreTextQueries(index: SlideSearchIndex, texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
  const engine = modelStore.pathoClipEngine();
  if (!engine) throw new Error('PathoCLIP is not loaded.');
  const vectors = await engine.embedTexts([...texts]);
  if (vectors.length !== texts.length) throw new Error(`the model returned ${vectors.length} embeddings for ${texts.length} texts`);
  const scores: Float32Array[] = [];
  for (const vector of vectors) scores.push(await scoreAllTiles(index, vector, { signal }));
  return scores;
}
