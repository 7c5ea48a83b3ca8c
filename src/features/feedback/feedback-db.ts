/**
 * Feedback records in IndexedDB (src/storage/schema.ts: FEEDBACK), or in memory where the browser has no
 * IndexedDB (private modes) and in tests that want none. Records read back are checked; a damaged one is dropped.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { FEEDBACK, migrateFeedback } from '../../storage/schema';
import { isFeedbackRecord, type FeedbackRecord } from './feedback-record';

export interface FeedbackStore {
  get(id: string): Promise<FeedbackRecord | undefined>;
  put(record: FeedbackRecord): Promise<void>;
  remove(id: string): Promise<void>;
  /** Every record, oldest save first. */
  all(): Promise<FeedbackRecord[]>;
}

export function indexedDbFeedbackStore(dbName: string = FEEDBACK.dbName): FeedbackStore {
  let db: Promise<IDBPDatabase> | null = null;
  const database = () =>
    (db ??= openDB(dbName, FEEDBACK.version, { upgrade: (upgradeDb, oldVersion) => migrateFeedback(upgradeDb, oldVersion) }).catch((error: unknown) => {
      db = null;
      throw error;
    }));
  return {
    async get(id) {
      const value: unknown = await (await database()).get(FEEDBACK.storeName, id);
      return isFeedbackRecord(value) ? value : undefined;
    },
    async put(record) {
      await (await database()).put(FEEDBACK.storeName, record);
    },
    async remove(id) {
      await (await database()).delete(FEEDBACK.storeName, id);
    },
    async all() {
      const values: unknown[] = await (await database()).getAllFromIndex(FEEDBACK.storeName, 'updatedAt');
      return values.filter(isFeedbackRecord);
    },
  };
}

export function memoryFeedbackStore(): FeedbackStore {
  const records = new Map<string, FeedbackRecord>();
  return {
    get: async (id) => structuredClone(records.get(id)),
    put: async (record) => void records.set(record.id, structuredClone(record)),
    remove: async (id) => void records.delete(id),
    all: async () => [...records.values()].sort((a, b) => a.updatedAt - b.updatedAt).map((record) => structuredClone(record)),
  };
}

let shared: FeedbackStore | null = null;

/** The page's one feedback store: IndexedDB where the browser has it, else memory. */
export function browserFeedbackStore(): FeedbackStore {
  return (shared ??= typeof indexedDB === 'undefined' ? memoryFeedbackStore() : indexedDbFeedbackStore());
}
