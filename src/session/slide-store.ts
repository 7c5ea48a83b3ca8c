/**
 * The slide session: which slide is open and its ROIs (persisted per slide), with the selection; read by every
 * feature. A vanilla zustand store so Node tests drive it without React; `useSlideStore` is the React view.
 * Opening a new slide never disturbs the open one until the new one is ready, so a bad file leaves the
 * current slide usable.
 */
import { storageWriteSentence } from '../storage/storage-errors';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { SlideMetadata, SlideSource } from '../slide/slide-source';
import { errorSentence } from '../ui/error-sentence';
import { cleanRoiName, defaultRoiName, type Roi, type RoiShape } from './roi';
import { appStore } from './app-store';
import { indexedDbRoiPersistence, memoryRoiPersistence, type RoiPersistence } from './roi-db';
import { emptyHistory, recordChange, redo, undo, type History } from './roi-history';

export interface OpenSlide {
  source: SlideSource;
  metadata: SlideMetadata;
  /** Key under which this slide's ROIs are stored (see viewer/slide-identity). */
  identity: string;
}

export interface SlideState {
  slide: OpenSlide | null;
  /** Name of a slide being opened, shown while it loads; null when idle. */
  opening: string | null;
  rois: Roi[];
  selectedRoiId: string | null;
  /** Marks the start of opening `name`; returns a token that `showSlide`/`openFailed` must present. */
  beginOpening(name: string): number;
  /** Makes `source` the open slide (closing the previous one) unless a newer open started meanwhile. */
  showSlide(token: number, source: SlideSource, identity: string): Promise<boolean>;
  /** Ends an open that failed; the slide already open stays. */
  openFailed(token: number): void;
  addRoi(shape: RoiShape, className?: string): Roi | null;
  /** Adds regions read from a file in one step (one undo); ids already present get new ones. */
  addRois(rois: readonly Omit<Roi, 'createdAt'>[]): Roi[];
  renameRoi(id: string, name: string): void;
  /** A moved or reshaped region (one undo step per call: callers commit at the end of a drag). */
  reshapeRoi(id: string, shape: RoiShape): void;
  setRoiClass(id: string, className: string | null): void;
  setRoiHidden(id: string, hidden: boolean): void;
  /** Follows a class renamed in the class list. */
  renameClassOfRois(oldName: string, newName: string): void;
  deleteRoi(id: string): void;
  selectRoi(id: string | null): void;
  /** Undo and redo of every change to the regions of the open slide (cleared when another slide opens). */
  history: History<Roi[]>;
  undo(): void;
  redo(): void;
}

export interface SlideStoreOptions {
  persistence: RoiPersistence;
  reportError(sentence: string): void;
  newId?: () => string;
}

export function createSlideStore({ persistence, reportError, newId = () => crypto.randomUUID() }: SlideStoreOptions) {
  let latestToken = 0;
  // Writes are chained so that an older list never lands after a newer one.
  let saving: Promise<void> = Promise.resolve();

  const store = createStore<SlideState>()((set, get) => {
    const persist = () => {
      const slide = get().slide;
      if (!slide) return;
      const rois = get().rois;
      saving = saving
        .then(() => persistence.save(slide.identity, rois))
        .catch((error: unknown) => reportError(storageWriteSentence('the regions of this slide', error)));
    };
    /** Applies an undoable change to the region list, records it and saves. */
    const change = (next: (rois: Roi[]) => Roi[], extra: Partial<SlideState> = {}) => {
      const before = get().rois;
      const after = next(before);
      if (after === before) return;
      set({ rois: after, history: recordChange(get().history, before), ...extra });
      persist();
    };
    const edit = (id: string, update: (roi: Roi) => Roi) =>
      change((rois) => (rois.some((roi) => roi.id === id) ? rois.map((roi) => (roi.id === id ? update(roi) : roi)) : rois));
    const step = (result: { state: Roi[]; history: History<Roi[]> } | null) => {
      if (!result) return;
      const ids = new Set(result.state.map((roi) => roi.id));
      set((state) => ({
        rois: result.state,
        history: result.history,
        selectedRoiId: state.selectedRoiId && ids.has(state.selectedRoiId) ? state.selectedRoiId : null,
      }));
      persist();
    };

    return {
      slide: null,
      opening: null,
      rois: [],
      selectedRoiId: null,
      history: emptyHistory<Roi[]>(),

      beginOpening(name) {
        latestToken += 1;
        set({ opening: name });
        return latestToken;
      },

      async showSlide(token, source, identity) {
        if (token !== latestToken) {
          await source.close().catch(() => undefined);
          return false;
        }
        let rois: Roi[] = [];
        try {
          rois = await persistence.load(identity);
        } catch (error) {
          reportError(errorSentence('Could not load the saved regions of this slide', error, 'New regions may not be saved either'));
        }
        if (token !== latestToken) {
          await source.close().catch(() => undefined);
          return false;
        }
        const previous = get().slide;
        set({ slide: { source, metadata: source.metadata, identity }, opening: null, rois, selectedRoiId: null, history: emptyHistory<Roi[]>() });
        if (previous && previous.source !== source) await previous.source.close().catch(() => undefined);
        return true;
      },

      openFailed(token) {
        if (token === latestToken) set({ opening: null });
      },

      addRoi(shape, className) {
        if (!get().slide) return null;
        const roi: Roi = { id: newId(), name: defaultRoiName(shape.kind, get().rois), shape, createdAt: Date.now(), ...(className ? { className } : {}) };
        change((rois) => [...rois, roi], { selectedRoiId: roi.id });
        return roi;
      },

      addRois(incoming) {
        if (!get().slide || incoming.length === 0) return [];
        const taken = new Set(get().rois.map((roi) => roi.id));
        const now = Date.now();
        const added = incoming.map((roi, i): Roi => {
          const id = taken.has(roi.id) ? newId() : roi.id;
          taken.add(id);
          return { ...roi, id, createdAt: now + i };
        });
        change((rois) => [...rois, ...added]);
        return added;
      },

      renameRoi(id, name) {
        edit(id, (roi) => ({ ...roi, name: cleanRoiName(name, roi.name) }));
      },

      reshapeRoi(id, shape) {
        edit(id, (roi) => (roi.locked ? roi : { ...roi, shape }));
      },

      setRoiClass(id, className) {
        edit(id, ({ className: _old, ...roi }) => (className ? { ...roi, className } : roi));
      },

      setRoiHidden(id, hidden) {
        edit(id, ({ hidden: _old, ...roi }) => (hidden ? { ...roi, hidden } : roi));
      },

      renameClassOfRois(oldName, newName) {
        if (!get().rois.some((roi) => roi.className === oldName)) return;
        set((state) => ({ rois: state.rois.map((roi) => (roi.className === oldName ? { ...roi, className: newName } : roi)) }));
        persist();
      },

      deleteRoi(id) {
        change((rois) => (rois.some((roi) => roi.id === id) ? rois.filter((roi) => roi.id !== id) : rois), {
          selectedRoiId: get().selectedRoiId === id ? null : get().selectedRoiId,
        });
      },

      selectRoi: (id) => set({ selectedRoiId: id }),

      undo: () => step(undo(get().history, get().rois)),
      redo: () => step(redo(get().history, get().rois)),
    };
  });

  return Object.assign(store, {
    /** Resolves when every ROI change so far is stored (tests, and before a deliberate reload). */
    flush: () => saving,
  });
}

export type SlideStore = ReturnType<typeof createSlideStore>;

/** The ROI the user selected (drawn last, or chosen in the list): what "ask about this region" means. */
export function selectedRoi(state: Pick<SlideState, 'rois' | 'selectedRoiId'>): Roi | null {
  return state.rois.find((roi) => roi.id === state.selectedRoiId) ?? null;
}

function browserPersistence(): RoiPersistence {
  return typeof indexedDB === 'undefined' ? memoryRoiPersistence() : indexedDbRoiPersistence();
}

/** The app's one slide session; errors reach the banner as sentences. */
export const slideStore = createSlideStore({
  persistence: browserPersistence(),
  reportError: (sentence) => appStore.getState().reportError(sentence),
});

export function useSlideStore<T>(selector: (state: SlideState) => T): T {
  return useStore(slideStore, selector);
}
