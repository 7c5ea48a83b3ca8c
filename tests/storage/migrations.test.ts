/**
 * Every IndexedDB database at every earlier version, written the way that release wrote it (raw IndexedDB, not
 * today's migration code), opened with today's code: what was stored still loads. DATABASES (storage/schema.ts)
 * lists each database and its version; a database or version without a fixture here fails the first test.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { indexedDbAnswerPersistence } from '../../src/features/ask/answer-db';
import { indexedDbSlideAnswerPersistence } from '../../src/features/ask/slide/slide-answer-db';
import { createClassifyStore } from '../../src/features/classify/classify-store';
import { indexedDbFeedbackStore } from '../../src/features/feedback/feedback-db';
import { buildFeedbackExport } from '../../src/features/feedback/feedback-export';
import { listAttempts, openPracticeDb } from '../../src/features/practice/practice-history';
import { indexedDbRoiPersistence } from '../../src/session/roi-db';
import { indexedDbAppRecords } from '../../src/storage/app-records';
import { indexedDbSlideModelRecords } from '../../src/storage/slide-model-db';
import { APP_RECORDS, DATABASES, FEEDBACK, PRACTICE, SLIDE_ANSWERS, SLIDE_LEVEL_ANSWERS, SLIDE_REGIONS, SLIDE_SEARCH_INDEXES } from '../../src/storage/schema';

/** Creates `name` at `version` with `create` (the stores as that release made them) and `fill` (its records). */
function createOldDatabase(name: string, version: number, create: (db: IDBDatabase) => void, fill: (db: IDBDatabase) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onupgradeneeded = () => create(request.result);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      fill(db).then(() => {
        db.close();
        resolve();
      }, reject);
    };
  });
}

function putAll(db: IDBDatabase, store: string, records: Array<{ value: unknown; key?: IDBValidKey }>): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    for (const { value, key } of records) tx.objectStore(store).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

const perSlideStore = (storeName: string) => (db: IDBDatabase) => void db.createObjectStore(storeName, { keyPath: 'slideIdentity' });

/** Fixtures: for each database, each earlier version as that release stored it, and what today's code must read. */
const fixtures: Record<string, Record<number, () => Promise<void>>> = {
  [SLIDE_REGIONS.dbName]: {
    1: async () => {
      const name = `v1-${SLIDE_REGIONS.dbName}`;
      // Release of version 1 before annotations: rectangles and polygons with id, name, shape, createdAt only.
      await createOldDatabase(name, 1, perSlideStore(SLIDE_REGIONS.storeName), (db) =>
        putAll(db, SLIDE_REGIONS.storeName, [
          {
            value: {
              slideIdentity: 'file:small.svs:1:abc',
              updatedAt: 1,
              rois: [
                { id: 'r1', name: 'ROI 1', shape: { kind: 'rectangle', rect: { x: 10, y: 20, width: 300, height: 200 } }, createdAt: 1 },
                {
                  id: 'r2',
                  name: 'ROI 2',
                  shape: {
                    kind: 'polygon',
                    points: [
                      { x: 0, y: 0 },
                      { x: 50, y: 0 },
                      { x: 0, y: 50 },
                    ],
                  },
                  createdAt: 2,
                },
                {
                  id: 'r3',
                  name: 'Ellipse 1',
                  shape: { kind: 'ellipse', rect: { x: 0, y: 0, width: 9, height: 9 } },
                  createdAt: 3,
                  className: 'Tumor',
                  locked: true,
                },
              ],
            },
          },
        ]),
      );
      const rois = await indexedDbRoiPersistence(name).load('file:small.svs:1:abc');
      expect(rois.map((roi) => [roi.id, roi.shape.kind, roi.className ?? null])).toEqual([
        ['r1', 'rectangle', null],
        ['r2', 'polygon', null],
        ['r3', 'ellipse', 'Tumor'],
      ]);
    },
  },
  [SLIDE_ANSWERS.dbName]: {
    1: async () => {
      const name = `v1-${SLIDE_ANSWERS.dbName}`;
      const common = { options: [], chainOfDraft: false, reasoningClosed: true, backend: 'WASM · q4', regionNote: '512 x 512 px at 20x', createdAt: 5 };
      await createOldDatabase(name, 1, perSlideStore(SLIDE_ANSWERS.storeName), (db) =>
        putAll(db, SLIDE_ANSWERS.storeName, [
          {
            value: {
              slideIdentity: 'slide-a',
              updatedAt: 1,
              answers: [
                // format 1 (before conversations): no conversationId
                {
                  ...common,
                  id: 1,
                  roiId: 'r1',
                  question: 'Grade?',
                  reply: '<think>a</think><answer>G2</answer>',
                  reasoning: 'a',
                  answer: 'G2',
                  status: 'done',
                },
                // format 2, saved while streaming
                { ...common, id: 2, conversationId: 'c9', roiId: 'r1', question: 'More?', reply: '<think>b', reasoning: 'b', answer: '', status: 'streaming' },
              ],
            },
          },
        ]),
      );
      const answers = await indexedDbAnswerPersistence(name, null).load('slide-a');
      expect(answers.map((answer) => [answer.id, answer.conversationId, answer.status, answer.answer])).toEqual([
        [1, 'roi:r1', 'done', 'G2'],
        [2, 'c9', 'stopped', ''],
      ]);
    },
  },
  [SLIDE_LEVEL_ANSWERS.dbName]: {
    1: async () => {
      const name = `v1-${SLIDE_LEVEL_ANSWERS.dbName}`;
      const region = {
        rect: { x: 0, y: 0, width: 224, height: 224 },
        score: 1,
        origin: 'PathoCLIP: “Tumour”',
        number: 1,
        readNote: '224 x 224 px',
        tokens: 64,
      };
      await createOldDatabase(name, 1, perSlideStore(SLIDE_LEVEL_ANSWERS.storeName), (db) =>
        putAll(db, SLIDE_LEVEL_ANSWERS.storeName, [
          {
            value: {
              slideIdentity: 'slide-a',
              updatedAt: 1,
              answers: [
                {
                  id: 1,
                  slideIdentity: 'slide-a',
                  question: 'Where is the tumour?',
                  options: [],
                  status: 'streaming',
                  regions: [region],
                  budgetNote: null,
                  promptTokens: 100,
                  reply: '<think>x',
                  reasoning: 'x',
                  answer: '',
                  reasoningClosed: false,
                  backend: 'WASM · q4',
                  createdAt: 1,
                },
              ],
            },
          },
        ]),
      );
      const answers = await indexedDbSlideAnswerPersistence(name).load('slide-a');
      expect(answers.map((answer) => [answer.id, answer.status, answer.regions.length])).toEqual([[1, 'stopped', 1]]);
    },
  },
  [SLIDE_SEARCH_INDEXES.dbName]: {
    1: async () => {
      const name = `v1-${SLIDE_SEARCH_INDEXES.dbName}`;
      await createOldDatabase(
        name,
        1,
        (db) => void db.createObjectStore(SLIDE_SEARCH_INDEXES.storeName, { keyPath: ['slideIdentity', 'modelKey'] }),
        (db) =>
          putAll(db, SLIDE_SEARCH_INDEXES.storeName, [
            { value: { slideIdentity: 'slide-a', modelKey: 'tiny/pathoclip:q8', value: { format: 'x' }, savedAt: 1 } },
          ]),
      );
      const records = indexedDbSlideModelRecords<{ format: string }>({
        dbName: name,
        storeName: SLIDE_SEARCH_INDEXES.storeName,
        isValue: (value): value is { format: string } => typeof value === 'object' && value !== null && 'format' in value,
      });
      expect(await records.load('slide-a', 'tiny/pathoclip:q8')).toEqual({ format: 'x' });
    },
  },
  [APP_RECORDS.dbName]: {
    1: async () => {
      const name = `v1-${APP_RECORDS.dbName}`;
      const own = { id: 'user:1', name: 'Mine', classnames: [['tumour'], ['stroma']], templates: ['a photo of CLASSNAME.'] };
      await createOldDatabase(
        name,
        1,
        (db) => void db.createObjectStore(APP_RECORDS.storeName),
        (db) => putAll(db, APP_RECORDS.storeName, [{ value: [own], key: 'classify.labelSets' }]),
      );
      const store = createClassifyStore(indexedDbAppRecords(name), (sentence) => {
        throw new Error(sentence);
      });
      await store.getState().loadSaved();
      expect(store.getState().labelSets.filter((labelSet) => !labelSet.builtIn)).toEqual([own]);
    },
  },
  [FEEDBACK.dbName]: {
    1: async () => {
      const name = `v1-${FEEDBACK.dbName}`;
      const record = {
        id: 'ask:c1:1',
        source: 'ask',
        question: 'Grade?',
        options: [],
        imagePng: new Uint8Array([137, 80, 78, 71]),
        verdict: 'incorrect',
        reasoning: 'fixed',
        answer: 'G3',
        originalReasoning: 'a',
        originalAnswer: 'G2',
        createdAt: 1,
        updatedAt: 2,
      };
      await createOldDatabase(
        name,
        1,
        (db) => void db.createObjectStore(FEEDBACK.storeName, { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt'),
        (db) =>
          putAll(db, FEEDBACK.storeName, [
            { value: record },
            // Records of today's shape inside version 1 (optional earlierTurns / moreImagesPng, source 'ask-slide'),
            // and one whose new field is damaged, which is dropped.
            {
              value: {
                ...record,
                id: 'ask:c1:2',
                question: 'Mitoses?',
                earlierTurns: [{ question: 'Grade?', options: [], reply: '<answer>G2</answer>' }],
                updatedAt: 3,
              },
            },
            { value: { ...record, id: 'ask-slide:0a1b2c3d:9', source: 'ask-slide', moreImagesPng: [new Uint8Array([137, 80, 78, 71])], updatedAt: 4 } },
            { value: { ...record, id: 'ask:c1:3', earlierTurns: [{ question: 'Grade?' }], updatedAt: 5 } },
          ]),
      );
      const saved = await indexedDbFeedbackStore(name).all();
      expect(saved.map((entry) => [entry.id, entry.answer])).toEqual([
        ['ask:c1:1', 'G3'],
        ['ask:c1:2', 'G3'],
        ['ask-slide:0a1b2c3d:9', 'G3'],
      ]);
      // A record saved before reviews kept the turns before them exports as the one question it holds.
      const [old] = buildFeedbackExport([saved[0]!]).rl;
      expect([old!.turns, old!.prompt.map((message) => message.role)]).toEqual([1, ['system', 'user']]);
    },
  },
  [PRACTICE.dbName]: {
    1: async () => {
      // Practice opens its database by its one name.
      const attempt = { id: 'a1', bankId: 'demo', questionId: 'q1', chosen: 0, correct: true, grade: 'good', mode: 'practice', tags: [], answeredAt: 1 };
      await createOldDatabase(
        PRACTICE.dbName,
        1,
        (db) => {
          db.createObjectStore(PRACTICE.attempts, { keyPath: 'id' }).createIndex('answeredAt', 'answeredAt');
          db.createObjectStore(PRACTICE.cards, { keyPath: 'key' });
          db.createObjectStore(PRACTICE.banks, { keyPath: 'id' });
        },
        (db) => putAll(db, PRACTICE.attempts, [{ value: attempt }]),
      );
      const db = await openPracticeDb();
      expect((await listAttempts(db)).map((saved) => saved.id)).toEqual(['a1']);
      db.close();
    },
  },
};

describe('IndexedDB migrations', () => {
  it('has a fixture for every database at every version from 1 to today', () => {
    for (const { dbName, version } of DATABASES) {
      expect(Object.keys(fixtures[dbName] ?? {}).map(Number), dbName).toEqual(Array.from({ length: version }, (_, index) => index + 1));
    }
  });

  for (const { dbName, version } of DATABASES) {
    for (let old = 1; old <= version; old += 1) {
      it(`${dbName} version ${old}: data stored by that release loads with today's code`, async () => {
        await fixtures[dbName]![old]!();
      });
    }
  }
});
