/**
 * ROIs persisted per slide in IndexedDB (one record per slide identity), so they survive reloads. The store
 * talks to the small `RoiPersistence` interface; tests use fake-indexeddb or an in-memory one.
 */
import { isRoi, type Roi } from './roi';
import { indexedDbPerSlideList, memoryPerSlideList, type PerSlideList } from '../storage/per-slide-db';
import { SLIDE_REGIONS } from '../storage/schema';

export type RoiPersistence = PerSlideList<Roi>;

export const ROI_DB_NAME = SLIDE_REGIONS.dbName;

export function indexedDbRoiPersistence(dbName = ROI_DB_NAME): RoiPersistence {
  return indexedDbPerSlideList<Roi>({ ...SLIDE_REGIONS, dbName, isItem: isRoi });
}

/** For tests and for browsers where IndexedDB is unavailable (private modes): keeps ROIs for this page only. */
export function memoryRoiPersistence(): RoiPersistence {
  return memoryPerSlideList<Roi>();
}
