/**
 * Moving the viewer from outside it (a search hit flies there): the viewer registers how, features call
 * `showRegionInViewer`. Like current-view.ts, this keeps features from importing the viewer.
 */
import type { Rect } from './geometry';

let navigator: ((rect: Rect) => void) | null = null;

export function setRegionNavigator(next: ((rect: Rect) => void) | null): void {
  navigator = next;
}

/** Fits a level-0 rectangle on screen; false when no viewer is showing a slide. */
export function showRegionInViewer(rect: Rect): boolean {
  if (!navigator) return false;
  navigator(rect);
  return true;
}
