/**
 * Values that belong to no slide (label sets, settings), one per key, in IndexedDB; an in-memory stand-in for
 * tests and for browsers without IndexedDB (private modes). Values read back are untrusted: callers check them.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { APP_RECORDS, migrateAppRecords } from './schema';

export interface AppRecords {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
}

export function indexedDbAppRecords(dbName: string = APP_RECORDS.dbName): AppRecords {
  let db: Promise<IDBPDatabase> | null = null;
  const database = () =>
    (db ??= openDB(dbName, APP_RECORDS.version, { upgrade: (upgradeDb, oldVersion) => migrateAppRecords(upgradeDb, oldVersion) }).catch((error: unknown) => {
      db = null; // a later call may succeed (e.g. after the user allows storage)
      throw error;
    }));
  return {
    get: async (key) => (await database()).get(APP_RECORDS.storeName, key),
    put: async (key, value) => void (await (await database()).put(APP_RECORDS.storeName, structuredClone(value), key)),
  };
}

export function memoryAppRecords(): AppRecords {
  const values = new Map<string, unknown>();
  return {
    get: async (key) => structuredClone(values.get(key)),
    put: async (key, value) => void values.set(key, structuredClone(value)),
  };
}

/** IndexedDB where the browser has it, else memory for this page. */
export function browserAppRecords(): AppRecords {
  return typeof indexedDB === 'undefined' ? memoryAppRecords() : indexedDbAppRecords();
}
