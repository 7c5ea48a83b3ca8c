/**
 * The viewer's own state: the active drawing tool and the display adjustment. Kept apart from the slide
 * session (open slide, regions, selection), which other features read; only the viewer reads these.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { NEUTRAL_ADJUSTMENT, type DisplayAdjustment } from './display-adjustment';
import type { Tool } from './drawing';

export interface ViewerState {
  tool: Tool;
  adjustment: DisplayAdjustment;
  /** Bumped when a channel of the open slide is shown, hidden or re-windowed: its tiles must be drawn again. */
  channelsVersion: number;
  setTool(tool: Tool): void;
  setAdjustment(adjustment: Partial<DisplayAdjustment>): void;
  channelsChanged(): void;
}

export function createViewerStore() {
  return createStore<ViewerState>()((set) => ({
    tool: 'pan',
    adjustment: NEUTRAL_ADJUSTMENT,
    channelsVersion: 0,
    setTool: (tool) => set({ tool }),
    setAdjustment: (adjustment) => set((state) => ({ adjustment: { ...state.adjustment, ...adjustment } })),
    channelsChanged: () => set((state) => ({ channelsVersion: state.channelsVersion + 1 })),
  }));
}

export const viewerStore = createViewerStore();

export function useViewerStore<T>(selector: (state: ViewerState) => T): T {
  return useStore(viewerStore, selector);
}
