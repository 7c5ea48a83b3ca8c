/**
 * One IndexedDB record per slide identity holding a list (the slide's regions, its answers), so what a
 * pathologist made on a slide comes back when the same slide is opened again. Items read back are checked:
 * whatever is damaged or from an older format is dropped rather than breaking the app.
 *
 * A page being closed or reloaded gives an IndexedDB write no promise of finishing, so a list can also be kept
 * synchronously in localStorage at `pagehide` (`saveBeforeUnload`, the "unload journal"): the next `load` of that
 * slide takes the journal when it is newer than the IndexedDB record, writes it through and removes it.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { PER_SLIDE_SCHEMA_VERSION, migratePerSlideDatabase } from './schema';

export interface PerSlideList<T> {
  load(slideIdentity: string): Promise<T[]>;
  save(slideIdentity: string, items: readonly T[]): Promise<void>;
  /** Keeps `items` synchronously for a page that is closing; read back by the next `load` when newer than the saved record. */
  saveBeforeUnload?(slideIdentity: string, items: readonly T[]): void;
}

/** The synchronous part of Web Storage the unload journal needs (localStorage, or a stand-in in tests). */
export type JournalStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface PerSlideListOptions<T> {
  dbName: string;
  storeName: string;
  /** Record field that holds the list (e.g. "rois"). */
  field: string;
  isItem(value: unknown): value is T;
  /** Adjusts an item after reading (e.g. an answer interrupted by a reload). */
  settle?(item: T): T;
  /** Where the unload journal lives; default localStorage where the page has it, else none. */
  journal?: JournalStorage | null;
}

type SlideRecord = { slideIdentity: string; updatedAt: number } & Record<string, unknown>;

interface JournalEntry {
  savedAt: number;
  items: unknown[];
}

function defaultJournal(): JournalStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled for this page
  }
}

/** The localStorage key of a slide's unload journal in one per-slide store. */
export function unloadJournalKey(dbName: string, storeName: string, slideIdentity: string): string {
  return `patholens-unload:${dbName}/${storeName}:${slideIdentity}`;
}

export function indexedDbPerSlideList<T>({
  dbName,
  storeName,
  field,
  isItem,
  settle = (item) => item,
  journal = defaultJournal(),
}: PerSlideListOptions<T>): PerSlideList<T> {
  let db: Promise<IDBPDatabase> | null = null;
  const database = () =>
    (db ??= openDB(dbName, PER_SLIDE_SCHEMA_VERSION, {
      upgrade: (upgradeDb, oldVersion) => migratePerSlideDatabase(upgradeDb, storeName, oldVersion),
    }).catch((error: unknown) => {
      db = null; // let a later call try again (e.g. after the user allows storage)
      throw error;
    }));
  const readJournal = (slideIdentity: string): JournalEntry | null => {
    try {
      const text = journal?.getItem(unloadJournalKey(dbName, storeName, slideIdentity));
      if (!text) return null;
      const entry = JSON.parse(text) as Partial<JournalEntry>;
      return typeof entry.savedAt === 'number' && Array.isArray(entry.items) ? { savedAt: entry.savedAt, items: entry.items } : null;
    } catch {
      return null; // unreadable: the IndexedDB record stands
    }
  };
  const dropJournal = (slideIdentity: string) => {
    try {
      journal?.removeItem(unloadJournalKey(dbName, storeName, slideIdentity));
    } catch {
      // nothing to do: a stale journal is older than the record and is ignored
    }
  };
  return {
    async load(slideIdentity) {
      const store = await database();
      const record = (await store.get(storeName, slideIdentity)) as SlideRecord | undefined;
      let items = record?.[field];
      const unsaved = readJournal(slideIdentity);
      if (unsaved && unsaved.savedAt >= (record?.updatedAt ?? 0)) {
        items = unsaved.items;
        try {
          const through: SlideRecord = { slideIdentity, [field]: unsaved.items.filter(isItem), updatedAt: Date.now() };
          await store.put(storeName, through);
          dropJournal(slideIdentity);
        } catch {
          // kept in the journal for the next load; this load still shows it
        }
      } else if (unsaved) dropJournal(slideIdentity);
      return Array.isArray(items) ? items.filter(isItem).map(settle) : [];
    },
    async save(slideIdentity, items) {
      const record: SlideRecord = { slideIdentity, [field]: items.map((item) => structuredClone(item)), updatedAt: Date.now() };
      await (await database()).put(storeName, record);
    },
    saveBeforeUnload(slideIdentity, items) {
      try {
        journal?.setItem(unloadJournalKey(dbName, storeName, slideIdentity), JSON.stringify({ savedAt: Date.now(), items: [...items] } satisfies JournalEntry));
      } catch {
        // full or disabled: the IndexedDB write started at the same time is all there is
      }
    },
  };
}

/** For tests and for browsers without IndexedDB (private modes): keeps the lists for this page only. */
export function memoryPerSlideList<T>(): PerSlideList<T> {
  const records = new Map<string, T[]>();
  return {
    load: async (slideIdentity) => structuredClone(records.get(slideIdentity) ?? []),
    save: async (slideIdentity, items) => void records.set(slideIdentity, structuredClone([...items])),
  };
}
