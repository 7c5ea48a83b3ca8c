/**
 * The region classes of this browser (one list for every slide, as QuPath's class list is per project), edited
 * in the Regions panel and saved in the app's records. A vanilla zustand store; `useRegionClasses` is the React view.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { browserAppRecords, type AppRecords } from '../storage/app-records';
import { errorSentence } from '../ui/error-sentence';
import { appStore } from './app-store';
import { DEFAULT_REGION_CLASSES, cleanClassName, isRegionClass, newClassColor, newClassName, type RegionClass, type Rgb } from './region-classes';

export const REGION_CLASSES_KEY = 'region-classes';

export interface RegionClassState {
  classes: RegionClass[];
  /** Loads the saved list (the defaults when none is saved). */
  load(): Promise<void>;
  add(): RegionClass;
  /** Adds classes met in an imported file, keeping the colours of those already known. */
  merge(classes: readonly RegionClass[]): void;
  /** Renames a class; false when the name is empty or taken. Regions keep their class by the caller's rename. */
  rename(name: string, newName: string): string | null;
  setColor(name: string, color: Rgb): void;
  setHidden(name: string, hidden: boolean): void;
}

export function createRegionClassStore(records: AppRecords, reportError: (sentence: string) => void) {
  return createStore<RegionClassState>()((set, get) => {
    const save = () =>
      void records
        .put(REGION_CLASSES_KEY, get().classes)
        .catch((error: unknown) => reportError(errorSentence('Could not save the region classes', error, 'They stay until you reload the page')));
    const update = (classes: RegionClass[]) => {
      set({ classes });
      save();
    };
    return {
      classes: DEFAULT_REGION_CLASSES.map((c) => ({ ...c, color: [...c.color] as Rgb })),
      async load() {
        try {
          const saved = await records.get(REGION_CLASSES_KEY);
          if (Array.isArray(saved)) {
            const valid = saved.filter(isRegionClass);
            if (valid.length > 0) set({ classes: valid });
          }
        } catch (error) {
          reportError(errorSentence('Could not load the saved region classes', error, 'The default classes are shown'));
        }
      },
      add() {
        const added: RegionClass = { name: newClassName(get().classes), color: newClassColor(get().classes) };
        update([...get().classes, added]);
        return added;
      },
      merge(incoming) {
        const known = new Set(get().classes.map((c) => c.name));
        const fresh = incoming.filter((c) => !known.has(c.name));
        if (fresh.length) update([...get().classes, ...fresh.map((c) => ({ name: c.name, color: [...c.color] as Rgb }))]);
      },
      rename(name, newName) {
        const clean = cleanClassName(newName, get().classes, name);
        if (!clean) return null;
        update(get().classes.map((c) => (c.name === name ? { ...c, name: clean } : c)));
        return clean;
      },
      setColor: (name, color) => update(get().classes.map((c) => (c.name === name ? { ...c, color } : c))),
      setHidden: (name, hidden) => update(get().classes.map((c) => (c.name === name ? { ...c, hidden } : c))),
    };
  });
}

export const regionClassStore = createRegionClassStore(browserAppRecords(), (sentence) => appStore.getState().reportError(sentence));

export function useRegionClasses<T>(selector: (state: RegionClassState) => T): T {
  return useStore(regionClassStore, selector);
}
