/**
 * Every IndexedDB database PathoLens keeps, with its version and migrations, in one place. Each database holds
 * one object store of per-slide records keyed by slide identity: `{ slideIdentity, [field]: items, updatedAt }`.
 * A new kind of per-slide data is a new entry here; a change of record shape is a new version with a migration.
 */
import type { IDBPDatabase } from 'idb';

export interface PerSlideStoreSchema {
  dbName: string;
  storeName: string;
  /** Record field that holds the list (e.g. "rois"). */
  field: string;
}

/** The regions a pathologist drew, per slide (read by the slide session). */
export const SLIDE_REGIONS: PerSlideStoreSchema = { dbName: 'patholens-viewer', storeName: 'slide-rois', field: 'rois' };

/** Patho-R1's answers, per slide (read by the Ask feature). */
export const SLIDE_ANSWERS: PerSlideStoreSchema = { dbName: 'patholens-answers', storeName: 'slide-answers', field: 'answers' };

/** The version every per-slide database is opened at. */
export const PER_SLIDE_SCHEMA_VERSION = 1;

/**
 * Brings a per-slide database from `oldVersion` (0 when new) to PER_SLIDE_SCHEMA_VERSION. Runs inside
 * IndexedDB's upgrade transaction; each step is one version.
 */
export function migratePerSlideDatabase(db: IDBPDatabase, storeName: string, oldVersion: number): void {
  if (oldVersion < 1 && !db.objectStoreNames.contains(storeName)) db.createObjectStore(storeName, { keyPath: 'slideIdentity' });
}
