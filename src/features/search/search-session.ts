/**
 * The app's one Search store, connected to the open slide, the selected region, the loaded PathoCLIP and the
 * viewer's heatmap layer. It follows slide and model changes: another slide or model means another index.
 */
import { useStore } from 'zustand';
import { modelStore } from '../models';
import { appStore } from '../../session/app-store';
import { heatmapOverlayStore } from '../../session/heatmap-overlay';
import { roiBounds } from '../../session/roi';
import { selectedRoi, slideStore } from '../../session/slide-store';
import { browserSearchIndexRecords } from './index-persistence';
import { createSearchStore, type SearchState } from './search-store';
import { searchIndexModelKey, visionWeightsFingerprint } from './weights-key';
import type { PathoClipEngine } from '../../inference/pathoclip-engine';

/** The loaded PathoCLIP's key with its vision weights' sha256 (from the manifest the weights were verified against). */
function indexKeyOf(engine: PathoClipEngine): string {
  const { pathoClip, catalog } = modelStore.getState();
  const entry = pathoClip.status === 'ready' && catalog.status === 'ready' ? catalog.entries.find((candidate) => candidate.path === pathoClip.path) : undefined;
  const fingerprint = entry && pathoClip.status === 'ready' ? visionWeightsFingerprint(entry.manifest, pathoClip.plan.imageDtype) : null;
  return searchIndexModelKey(engine.info.modelKey, fingerprint);
}

export const searchStore = createSearchStore({
  currentSlide: () => slideStore.getState().slide,
  engine: () => modelStore.pathoClipEngine(),
  selectedRegion: () => {
    const roi = selectedRoi(slideStore.getState());
    return roi ? { name: roi.name, rect: roiBounds(roi.shape) } : null;
  },
  records: browserSearchIndexRecords(),
  indexKey: indexKeyOf,
  showHeatmap: (overlay) => heatmapOverlayStore.getState().show(overlay),
  reportError: (sentence) => appStore.getState().reportError(sentence),
});

export function useSearchStore<T>(selector: (state: SearchState) => T): T {
  return useStore(searchStore, selector);
}

/** What the index depends on: the slide's identity and the loaded model's key. */
function indexContextKey(): string {
  const slide = slideStore.getState().slide;
  const engine = modelStore.pathoClipEngine();
  return `${slide?.identity ?? ''}\n${engine ? indexKeyOf(engine) : ''}`;
}

let following: (() => void) | null = null;

/** Starts following slide and model changes (once; the panel calls it on mount). */
export function followSlideAndModel(): void {
  if (following) return;
  let key = indexContextKey();
  const check = () => {
    const next = indexContextKey();
    if (next === key) return;
    key = next;
    void searchStore.getState().refresh();
  };
  const unsubscribeSlide = slideStore.subscribe(check);
  const unsubscribeModel = modelStore.subscribe(check);
  following = () => {
    unsubscribeSlide();
    unsubscribeModel();
  };
  void searchStore.getState().refresh();
}
