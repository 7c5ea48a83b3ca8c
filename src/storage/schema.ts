/**
 * Every IndexedDB database PathoLens keeps, with its version and migrations, in one place. Per-slide databases
 * hold one object store of records keyed by slide identity: `{ slideIdentity, [field]: items, updatedAt }`;
 * per-slide-and-model databases (search indexes) are keyed by [slideIdentity, modelKey].
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

/**
 * Region answers, format 1 -> 2 (read time, item by item): format 1 had no conversations, a question continued
 * every answer on its region (or on exactly its view). Each such answer gets that thread as its conversation, so
 * answers saved by format 1 read back as the conversations they were.
 */
export function upgradeSavedRegionAnswer<T extends object>(answer: T): T & { conversationId: string } {
  const record = answer as { conversationId?: unknown; roiId?: unknown; bounds?: { x: number; y: number; width: number; height: number } };
  if (typeof record.conversationId === 'string') return answer as T & { conversationId: string };
  const bounds = record.bounds;
  const thread =
    typeof record.roiId === 'string' ? `roi:${record.roiId}` : `view:${bounds ? [bounds.x, bounds.y, bounds.width, bounds.height].join(',') : 'slide'}`;
  return { ...answer, conversationId: thread };
}

/** "Ask the slide" answers with the regions they were given, per slide (read by the Ask feature). */
export const SLIDE_LEVEL_ANSWERS: PerSlideStoreSchema = { dbName: 'patholens-slide-answers', storeName: 'slide-level-answers', field: 'answers' };

/** The version every per-slide database is opened at. */
export const PER_SLIDE_SCHEMA_VERSION = 1;

/**
 * Brings a per-slide database from `oldVersion` (0 when new) to PER_SLIDE_SCHEMA_VERSION. Runs inside
 * IndexedDB's upgrade transaction; each step is one version.
 */
export function migratePerSlideDatabase(db: IDBPDatabase, storeName: string, oldVersion: number): void {
  if (oldVersion < 1 && !db.objectStoreNames.contains(storeName)) db.createObjectStore(storeName, { keyPath: 'slideIdentity' });
}

export interface SlideModelStoreSchema {
  dbName: string;
  storeName: string;
}

/**
 * Whole-slide search indexes (one embedding per tissue tile), per slide and PathoCLIP model (read by the Search
 * feature). Records: `{ slideIdentity, modelKey, value, savedAt }`; a slide file that changed has another identity
 * and other weights another model key, so neither finds an index made for the old one.
 */
export const SLIDE_SEARCH_INDEXES: SlideModelStoreSchema = { dbName: 'patholens-search', storeName: 'slide-search-indexes' };

/** The version every per-slide-and-model database is opened at. */
export const SLIDE_MODEL_SCHEMA_VERSION = 1;

/** Brings a per-slide-and-model database from `oldVersion` (0 when new) to SLIDE_MODEL_SCHEMA_VERSION. */
export function migrateSlideModelDatabase(db: IDBPDatabase, storeName: string, oldVersion: number): void {
  if (oldVersion < 1 && !db.objectStoreNames.contains(storeName)) db.createObjectStore(storeName, { keyPath: ['slideIdentity', 'modelKey'] });
}

/** App-wide records that belong to no slide (e.g. the Classify tab's label sets), one value per key. */
export const APP_RECORDS = { dbName: 'patholens-app', storeName: 'records', version: 1 } as const;

export function migrateAppRecords(db: IDBPDatabase, oldVersion: number): void {
  if (oldVersion < 1 && !db.objectStoreNames.contains(APP_RECORDS.storeName)) db.createObjectStore(APP_RECORDS.storeName);
}

/**
 * A pathologist's verdicts and corrections on Patho-R1 answers (Ask, Ask the slide, Practice), exported as training
 * data (read by the Feedback feature). Records: `{ id, source, question, options, imagePng: PNG bytes, verdict,
 * reasoning, answer, original..., createdAt, updatedAt }` plus, optionally, `moreImagesPng` ("Ask the slide": Regions
 * 2, 3…) and `earlierTurns` (a follow-up's turns before it), keyed by id; the `updatedAt` index lists them in the
 * order they were saved.
 */
export const FEEDBACK = { dbName: 'patholens-feedback', storeName: 'feedback', version: 1 } as const;

export function migrateFeedback(db: IDBPDatabase, oldVersion: number): void {
  if (oldVersion < 1 && !db.objectStoreNames.contains(FEEDBACK.storeName)) {
    db.createObjectStore(FEEDBACK.storeName, { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
  }
}

/**
 * A trainee's practice (read by the Practice feature): `attempts` `{ id, bankId, questionId, chosen, correct,
 * grade, mode, tags, answeredAt }` keyed by id with an `answeredAt` index; `cards` the FSRS review card per question
 * `{ key: "bankId/questionId", card }`; `banks` imported question banks keyed by id.
 */
export const PRACTICE = { dbName: 'patholens-practice', attempts: 'attempts', cards: 'review-cards', banks: 'banks', version: 1 } as const;

export function migratePractice(db: IDBPDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    if (!db.objectStoreNames.contains(PRACTICE.attempts)) db.createObjectStore(PRACTICE.attempts, { keyPath: 'id' }).createIndex('answeredAt', 'answeredAt');
    if (!db.objectStoreNames.contains(PRACTICE.cards)) db.createObjectStore(PRACTICE.cards, { keyPath: 'key' });
    if (!db.objectStoreNames.contains(PRACTICE.banks)) db.createObjectStore(PRACTICE.banks, { keyPath: 'id' });
  }
}

/**
 * Every IndexedDB database PathoLens opens, with the version today's code opens it at. History (what each
 * version stored; tests/storage/migrations.test.ts writes each as that release did and reads it with today's code):
 * - version 1 of every database: the object stores above. Record formats inside version 1: regions gained the
 *   optional className / hidden / locked / measurements (older regions have none); region answers format 1 had
 *   no conversationId (upgraded at read time by upgradeSavedRegionAnswer); feedback records gained the optional
 *   earlierTurns and moreImagesPng and the source 'ask-slide' (older records have none and read as one-question,
 *   one-image reviews).
 * A new version is a new line here, a step in that database's migrate function, and a fixture in the test.
 */
export const DATABASES = [
  { dbName: SLIDE_REGIONS.dbName, version: PER_SLIDE_SCHEMA_VERSION },
  { dbName: SLIDE_ANSWERS.dbName, version: PER_SLIDE_SCHEMA_VERSION },
  { dbName: SLIDE_LEVEL_ANSWERS.dbName, version: PER_SLIDE_SCHEMA_VERSION },
  { dbName: SLIDE_SEARCH_INDEXES.dbName, version: SLIDE_MODEL_SCHEMA_VERSION },
  { dbName: APP_RECORDS.dbName, version: APP_RECORDS.version },
  { dbName: FEEDBACK.dbName, version: FEEDBACK.version },
  { dbName: PRACTICE.dbName, version: PRACTICE.version },
] as const;
