/**
 * One IndexedDB record per slide identity and model key (a slide's search index made with one PathoCLIP model),
 * so a reload does not recompute it. Values read back are checked by the caller's `isValue`: a damaged record
 * or one from an older format reads as missing, never as a broken index.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { SLIDE_MODEL_SCHEMA_VERSION, migrateSlideModelDatabase, type SlideModelStoreSchema } from './schema';

export interface SlideModelRecords<T> {
  load(slideIdentity: string, modelKey: string): Promise<T | null>;
  save(slideIdentity: string, modelKey: string, value: T): Promise<void>;
  remove(slideIdentity: string, modelKey: string): Promise<void>;
}

interface StoredRecord {
  slideIdentity: string;
  modelKey: string;
  value: unknown;
  savedAt: number;
}

export function indexedDbSlideModelRecords<T>({
  dbName,
  storeName,
  isValue,
}: SlideModelStoreSchema & { isValue(value: unknown): value is T }): SlideModelRecords<T> {
  let db: Promise<IDBPDatabase> | null = null;
  const database = () =>
    (db ??= openDB(dbName, SLIDE_MODEL_SCHEMA_VERSION, {
      upgrade: (upgradeDb, oldVersion) => migrateSlideModelDatabase(upgradeDb, storeName, oldVersion),
    }).catch((error: unknown) => {
      db = null; // let a later call try again (e.g. after the user allows storage)
      throw error;
    }));
  return {
    async load(slideIdentity, modelKey) {
      const record = (await (await database()).get(storeName, [slideIdentity, modelKey])) as StoredRecord | undefined;
      return record && isValue(record.value) ? record.value : null;
    },
    async save(slideIdentity, modelKey, value) {
      const record: StoredRecord = { slideIdentity, modelKey, value, savedAt: Date.now() };
      await (await database()).put(storeName, record);
    },
    async remove(slideIdentity, modelKey) {
      await (await database()).delete(storeName, [slideIdentity, modelKey]);
    },
  };
}

/** For tests and for browsers without IndexedDB (private modes): keeps the records for this page only. */
export function memorySlideModelRecords<T>(): SlideModelRecords<T> {
  const records = new Map<string, T>();
  const key = (slideIdentity: string, modelKey: string) => JSON.stringify([slideIdentity, modelKey]);
  return {
    load: async (slideIdentity, modelKey) => records.get(key(slideIdentity, modelKey)) ?? null,
    save: async (slideIdentity, modelKey, value) => void records.set(key(slideIdentity, modelKey), value),
    remove: async (slideIdentity, modelKey) => void records.delete(key(slideIdentity, modelKey)),
  };
}
