/**
 * The app-wide store: side-panel tab, compute backend and user-facing errors. A vanilla zustand store so
 * Node tests and non-React modules can use it; React reads it through `useAppStore`.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { ComputeBackend } from '../inference/compute-backend';

export const SIDE_PANEL_TABS = ['ask', 'classify', 'search', 'practice', 'models'] as const;
export type SidePanelTab = (typeof SIDE_PANEL_TABS)[number];

export interface UserError {
  id: number;
  /** A full sentence: what failed and what to do. */
  message: string;
  /** How many times the sentence was reported while shown (a failure in a loop is one line, "3 times"). */
  count: number;
}

export type BackendState = { status: 'detecting' } | { status: 'ready'; backend: ComputeBackend };

export interface AppState {
  activeTab: SidePanelTab;
  backend: BackendState;
  errors: UserError[];
  selectTab(tab: SidePanelTab): void;
  setBackend(backend: ComputeBackend): void;
  /** Shows a sentence in the error banner. Repeats of the same sentence are shown once, with their count. */
  reportError(message: string): void;
  dismissError(id: number): void;
  /** Clears the banner at once. */
  dismissAllErrors(): void;
}

/** Keeps the banner readable if something fails in a loop. */
export const MAX_VISIBLE_ERRORS = 5;

export function createAppStore() {
  let nextErrorId = 1;
  return createStore<AppState>()((set) => ({
    activeTab: 'ask',
    backend: { status: 'detecting' },
    errors: [],
    selectTab: (tab) => set({ activeTab: tab }),
    setBackend: (backend) => set({ backend: { status: 'ready', backend } }),
    reportError: (message) =>
      set((state) => {
        const repeated = state.errors.find((error) => error.message === message);
        if (repeated) return { errors: state.errors.map((error) => (error === repeated ? { ...error, count: error.count + 1 } : error)) };
        const errors = [...state.errors, { id: nextErrorId++, message, count: 1 }];
        return { errors: errors.slice(-MAX_VISIBLE_ERRORS) };
      }),
    dismissError: (id) => set((state) => ({ errors: state.errors.filter((error) => error.id !== id) })),
    dismissAllErrors: () => set({ errors: [] }),
  }));
}

export const appStore = createAppStore();

export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(appStore, selector);
}
