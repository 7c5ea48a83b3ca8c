import type { SidePanelTab } from '../session/app-store';

export interface SidePanelTabInfo {
  id: SidePanelTab;
  label: string;
  /** What the tab is for, shown while the feature is not available yet. */
  purpose: string;
}

export const SIDE_PANEL_TAB_INFO: readonly SidePanelTabInfo[] = [
  { id: 'ask', label: 'Ask', purpose: 'Ask Patho-R1 about a selected region and read its reasoning and answer.' },
  { id: 'classify', label: 'Classify', purpose: 'Classify a region zero-shot with PathoCLIP against your own labels.' },
  { id: 'search', label: 'Search', purpose: 'Find regions across the slide that match a text or another region.' },
  { id: 'practice', label: 'Practice', purpose: 'Practise multiple-choice questions on slides, with feedback.' },
  { id: 'models', label: 'Models', purpose: 'Load, inspect and choose the models and the compute backend.' },
];

/** Roving focus between tabs as the WAI-ARIA tabs pattern describes (arrows wrap, Home/End jump). */
export function tabAfterKey(current: SidePanelTab, key: string, tabs: readonly SidePanelTab[]): SidePanelTab | null {
  const index = tabs.indexOf(current);
  if (index < 0) return null;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return tabs[(index + 1) % tabs.length] ?? null;
    case 'ArrowLeft':
    case 'ArrowUp':
      return tabs[(index - 1 + tabs.length) % tabs.length] ?? null;
    case 'Home':
      return tabs[0] ?? null;
    case 'End':
      return tabs[tabs.length - 1] ?? null;
    default:
      return null;
  }
}
