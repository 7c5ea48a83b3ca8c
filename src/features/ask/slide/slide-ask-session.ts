/**
 * "Ask the slide" connected to the app: the Search feature's index of the open slide (built with its progress when
 * missing), and the viewer's numbered outlines and fly-to.
 */
import { cancelSlideIndexing, ensureSlideIndex, scoreTextQueries } from '../../search';
import { regionOutlinesStore } from '../../../session/region-outlines';
import { showRegionInViewer } from '../../../session/viewer-navigation';
import type { AskDependencies } from '../ask-store';
import type { ShownRegion, SlideAskDependencies } from './slide-ask-store';

export function slideAskDependencies(engine: AskDependencies): SlideAskDependencies {
  return {
    ...engine,
    async slideIndex(signal) {
      const index = await ensureSlideIndex(signal);
      return { grid: index.grid, cells: index.cells, scoreTexts: (texts, scoreSignal) => scoreTextQueries(index, texts, scoreSignal) };
    },
    showRegions: outlineRegions,
  };
}

/** Outlines `regions` on the slide, labelled with their numbers. */
export function outlineRegions(slideIdentity: string, regions: readonly ShownRegion[]): void {
  regionOutlinesStore.getState().show(
    slideIdentity,
    regions.map((region) => ({ label: String(region.number), rect: region.rect })),
  );
}

/** Takes the outlines off the slide (back to asking about one region). */
export function hideRegionOutlines(): void {
  regionOutlinesStore.getState().clear();
}

/** Outlines an answer's regions and fits one of them on screen. */
export function flyToRegion(slideIdentity: string, regions: readonly ShownRegion[], region: ShownRegion): void {
  outlineRegions(slideIdentity, regions);
  showRegionInViewer(region.rect);
}

export { cancelSlideIndexing };
