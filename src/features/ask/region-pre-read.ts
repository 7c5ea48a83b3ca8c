/**
 * "Read the image while the user types": once a region is selected and a local Patho-R1 is loaded and idle, its
 * image is read (the region, then the worker's vision tower) before the question exists. On the processor the
 * vision tower is most of the wait for the first token, so a question typed meanwhile starts at the prompt.
 *
 * This store follows one target (region, read options, loaded model): a new target replaces the old one (the
 * worker drops a pre-read not yet started), an answer in progress is never delayed (the panel only starts one when
 * Ask is idle; the worker skips one that arrives during an answer). The worker keeps the encodings, keyed by the
 * pixels (src/inference/image-pre-read.ts); this store only knows which image it sent, to say what is happening
 * and to shorten the first-token estimate. No DOM: the engine and the clock come in.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { imageFingerprint, type PreReadOutcome } from '../../inference/image-pre-read';
import type { RgbaImage } from '../../slide/slide-source';
import type { PromptOptions } from '../../inference/patho-r1-prompt';
import { readAskRegion, type AskRegionOptions, type AskRegionSource } from './ask-region';

export type RegionPreReadState =
  | { status: 'idle' }
  /** The region or its image is being read; `fingerprint` once the region's pixels are known. */
  | { status: 'reading'; target: string; fingerprint: string | null; startedAt: number; expectedImageMs: number | null }
  | { status: 'ready'; target: string; fingerprint: string; readMs: number | null };

export interface PreReadTarget {
  /** Identifies what is read: slide, region, bounds, magnification, size options. Same key: nothing new to do. */
  key: string;
  /** The loaded model (its state object: a reload is a new one, whose worker has no encodings yet). */
  model: object;
  source: AskRegionSource;
  options: AskRegionOptions;
  /** The system prompt's options the question will use: the worker prefills the prompt up to the image with them. */
  prompt?: PromptOptions;
}

export interface PreReadEngine {
  preRead(images: RgbaImage[], prompt?: PromptOptions): Promise<PreReadOutcome | { kind: 'busy' }>;
}

export function createRegionPreReadStore(now: () => number = () => Date.now()) {
  let generation = 0;
  let current: { key: string; model: object } | null = null;
  const store = createStore<RegionPreReadState>()(() => ({ status: 'idle' }));

  return Object.assign(store, {
    /** Reads `target`'s image ahead unless it is the one already read or being read. Never rejects. */
    async start(target: PreReadTarget, engine: PreReadEngine, expectedImageMs: (width: number, height: number) => number | null): Promise<void> {
      if (current && current.key === target.key && current.model === target.model && store.getState().status !== 'idle') return;
      const mine = ++generation;
      current = { key: target.key, model: target.model };
      const stillMine = () => mine === generation;
      store.setState({ status: 'reading', target: target.key, fingerprint: null, startedAt: now(), expectedImageMs: null }, true);
      try {
        const read = await readAskRegion(target.source, target.options);
        if (!stillMine()) return;
        if (!read.ok) return void forget(mine);
        const fingerprint = imageFingerprint([read.image]);
        const startedAt = now();
        store.setState(
          { status: 'reading', target: target.key, fingerprint, startedAt, expectedImageMs: expectedImageMs(read.image.width, read.image.height) },
          true,
        );
        const outcome = await engine.preRead([read.image], target.prompt);
        if (!stillMine()) return;
        if (outcome.kind === 'encoded' || outcome.kind === 'cached') {
          store.setState({ status: 'ready', target: target.key, fingerprint, readMs: outcome.kind === 'encoded' ? now() - startedAt : null }, true);
        } else forget(mine); // replaced by an answer, or an answer was running: nothing read ahead
      } catch {
        forget(mine); // reading ahead is optional: the question reads the image itself
      }
    },
    /** Stops following the current target (the region was deselected, the model unloaded, a question asked elsewhere). */
    clear(): void {
      generation++;
      current = null;
      store.setState({ status: 'idle' }, true);
    },
    /**
     * For a question about `image`: milliseconds of image reading still ahead of it (0 when read ahead), or null when
     * this is not the image read ahead (the question then reads it itself).
     */
    imageMsLeft(image: RgbaImage): number | null {
      const state = store.getState();
      if (state.status === 'idle' || state.fingerprint === null || state.fingerprint !== imageFingerprint([image])) return null;
      if (state.status === 'ready') return 0;
      return state.expectedImageMs === null ? null : Math.max(0, state.startedAt + state.expectedImageMs - now());
    },
  });

  function forget(mine: number): void {
    if (mine !== generation) return;
    current = null;
    store.setState({ status: 'idle' }, true);
  }
}

export const regionPreReadStore = createRegionPreReadStore();

export function useRegionPreRead<T>(selector: (state: RegionPreReadState) => T): T {
  return useStore(regionPreReadStore, selector);
}
