/**
 * One IndexedDB record per slide identity holding a list (the slide's regions, its answers), so what a
 * pathologist made on a slide comes back when the same slide is opened again. Items read back are checked:
 * whatever is damaged or from an older format is dropped rather than breaking the app.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { PER_SLIDE_SCHEMA_VERSION, migratePerSlideDatabase } from './schema';

export interface PerSlideList<T> {
  load(slideIdentity: string): Promise<T[]>;
  save(slideIdentity: string, items: readonly T[]): Promise<void>;
}

export interface PerSlideListOptions<T> {
  dbName: string;
  storeName: string;
  /** Record field that holds the list (e.g. "rois"). */
  field: string;
  isItem(value: unknown): value is T;
  /** Adjusts an item after reading (e.g. an answer interrupted by a reload). */
  settle?(item: T): T;
}

type SlideRecord = { slideIdentity: string; updatedAt: number } & Record<string, unknown>;

export function indexedDbPerSlideList<T>({ dbName, storeName, field, isItem, settle = (item) => item }: PerSlideListOptions<T>): PerSlideList<T> {
  let db: Promise<IDBPDatabase> | null = null;
  const database = () =>
    (db ??= openDB(dbName, PER_SLIDE_SCHEMA_VERSION, {
      upgrade: (upgradeDb, oldVersion) => migratePerSlideDatabase(upgradeDb, storeName, oldVersion),
    }).catch((error: unknown) => {
      db = null; // let a later call try again (e.g. after the user allows storage)
      throw error;
    }));
  return {
    async load(slideIdentity) {
      const record = (await (await database()).get(storeName, slideIdentity)) as SlideRecord | undefined;
      const items = record?.[field];
      return Array.isArray(items) ? items.filter(isItem).map(settle) : [];
    },
    async save(slideIdentity, items) {
      const record: SlideRecord = { slideIdentity, [field]: items.map((item) => structuredClone(item)), updatedAt: Date.now() };
      await (await database()).put(storeName, record);
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
