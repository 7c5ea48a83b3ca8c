/**
 * Numbered outlines drawn over the slide (the regions "Ask the slide" showed Patho-R1, numbered as the model saw
 * them). The Ask feature sets them; the viewer draws them. Vanilla zustand so neither imports the other.
 */
import { createStore } from 'zustand/vanilla';
import type { Rect } from './geometry';

export interface RegionOutline {
  /** Shown at the outline's corner, e.g. "1". */
  label: string;
  /** Level-0 rectangle. */
  rect: Rect;
}

export interface RegionOutlinesState {
  /** Slide the outlines belong to; the viewer draws them only over that slide. */
  slideIdentity: string | null;
  outlines: RegionOutline[];
  show(slideIdentity: string, outlines: RegionOutline[]): void;
  clear(): void;
}

export const regionOutlinesStore = createStore<RegionOutlinesState>()((set) => ({
  slideIdentity: null,
  outlines: [],
  show: (slideIdentity, outlines) => set({ slideIdentity, outlines }),
  clear: () => set({ slideIdentity: null, outlines: [] }),
}));
