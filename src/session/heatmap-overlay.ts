/**
 * The heatmap drawn over the slide (whole-slide search scores): which picture, over which level-0 rectangle,
 * how opaque. The Search feature sets it; the viewer draws it. Vanilla zustand so neither imports the other.
 */
import { createStore } from 'zustand/vanilla';
import type { Rect } from './geometry';

export interface HeatmapOverlay {
  /** Slide the heatmap belongs to; the viewer draws it only over that slide. */
  slideIdentity: string;
  /** One RGBA pixel per grid cell, stretched over `bounds` without smoothing. */
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** Level-0 rectangle the picture covers (the tile grid, which may reach past the slide's edge). */
  bounds: Rect;
  /** 0–1. */
  opacity: number;
}

export interface HeatmapOverlayState {
  overlay: HeatmapOverlay | null;
  show(overlay: HeatmapOverlay | null): void;
}

export const heatmapOverlayStore = createStore<HeatmapOverlayState>()((set) => ({
  overlay: null,
  show: (overlay) => set({ overlay }),
}));
