/**
 * ROIs persisted per slide in IndexedDB (one record per slide identity), so they survive reloads. The store
 * talks to the small `RoiPersistence` interface; tests use fake-indexeddb or an in-memory one.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { isRoi, type Roi } from '../viewer/roi';

export interface RoiPersistence {
  load(slideIdentity: string): Promise<Roi[]>;
  save(slideIdentity: string, rois: readonly Roi[]): Promise<void>;
}

interface SlideRoisRecord {
  slideIdentity: string;
  rois: Roi[];
  updatedAt: number;
}

interface PathoLensViewerDb extends DBSchema {
  'slide-rois': { key: string; value: SlideRoisRecord };
}

export const ROI_DB_NAME = 'patholens-viewer';
const ROI_DB_VERSION = 1;

export function indexedDbRoiPersistence(dbName = ROI_DB_NAME): RoiPersistence {
  let db: Promise<IDBPDatabase<PathoLensViewerDb>> | null = null;
  const database = () =>
    (db ??= openDB<PathoLensViewerDb>(dbName, ROI_DB_VERSION, {
      upgrade(upgradeDb) {
        if (!upgradeDb.objectStoreNames.contains('slide-rois')) upgradeDb.createObjectStore('slide-rois', { keyPath: 'slideIdentity' });
      },
    }).catch((error: unknown) => {
      db = null; // let a later call try again (e.g. after the user allows storage)
      throw error;
    }));

  return {
    async load(slideIdentity) {
      const record = await (await database()).get('slide-rois', slideIdentity);
      // Whatever is damaged is dropped rather than breaking the viewer.
      return Array.isArray(record?.rois) ? record.rois.filter(isRoi) : [];
    },
    async save(slideIdentity, rois) {
      await (await database()).put('slide-rois', { slideIdentity, rois: rois.map((roi) => structuredClone(roi)), updatedAt: Date.now() });
    },
  };
}

/** For tests and for browsers where IndexedDB is unavailable (private modes): keeps ROIs for this page only. */
export function memoryRoiPersistence(): RoiPersistence {
  const records = new Map<string, Roi[]>();
  return {
    load: async (slideIdentity) => structuredClone(records.get(slideIdentity) ?? []),
    save: async (slideIdentity, rois) => void records.set(slideIdentity, structuredClone([...rois])),
  };
}
