/**
 * The side panel's width: dragged or set with the keyboard on its splitter, remembered across visits, and
 * never so wide that the slide gets less than half of the window.
 */
export const SIDE_PANEL_WIDTH_KEY = 'patholens.sidePanelWidth';
export const DEFAULT_SIDE_PANEL_WIDTH = 384;
export const MIN_SIDE_PANEL_WIDTH = 288;
/** Arrow keys move the splitter by this much (Shift: four times). */
export const SPLITTER_STEP = 16;

export function clampSidePanelWidth(width: number, windowWidth: number): number {
  const max = Math.max(MIN_SIDE_PANEL_WIDTH, Math.floor(windowWidth / 2));
  return Math.round(Math.min(max, Math.max(MIN_SIDE_PANEL_WIDTH, Number.isNaN(width) ? DEFAULT_SIDE_PANEL_WIDTH : width)));
}

/** The width a key on the splitter asks for (the panel is on the right: Left widens it), or null for other keys. */
export function widthAfterKey(width: number, key: string, shift: boolean, windowWidth: number): number | null {
  const step = shift ? SPLITTER_STEP * 4 : SPLITTER_STEP;
  if (key === 'ArrowLeft') return clampSidePanelWidth(width + step, windowWidth);
  if (key === 'ArrowRight') return clampSidePanelWidth(width - step, windowWidth);
  if (key === 'Home') return clampSidePanelWidth(MIN_SIDE_PANEL_WIDTH, windowWidth);
  if (key === 'End') return clampSidePanelWidth(Number.POSITIVE_INFINITY, windowWidth);
  return null;
}

export function savedSidePanelWidth(storage: Pick<Storage, 'getItem'> | undefined): number {
  const saved = Number(storage?.getItem(SIDE_PANEL_WIDTH_KEY) ?? NaN);
  return Number.isFinite(saved) && saved > 0 ? saved : DEFAULT_SIDE_PANEL_WIDTH;
}
