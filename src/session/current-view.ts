/**
 * The part of the slide on screen, for features outside the viewer (the Ask tab asks about the current view
 * when no region is selected). The viewer registers how to compute it; null when no viewer is showing a slide.
 */
import type { SlideRect } from '../slide/slide-source';

let provider: (() => SlideRect | null) | null = null;

export function setCurrentViewProvider(next: (() => SlideRect | null) | null): void {
  provider = next;
}

/** Level-0 rectangle of the slide on screen (clipped to the slide), or null. */
export function currentViewRegion(): SlideRect | null {
  return provider?.() ?? null;
}
