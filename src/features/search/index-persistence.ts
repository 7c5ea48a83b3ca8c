/**
 * Where search indexes are kept between visits: IndexedDB, per slide identity and model key. An index comes
 * back only if it was made for this very slide (identity and size) with this very model, in the current format;
 * anything else counts as missing and the slide is indexed again.
 */
import { SLIDE_SEARCH_INDEXES } from '../../storage/schema';
import { indexedDbSlideModelRecords, memorySlideModelRecords, type SlideModelRecords } from '../../storage/slide-model-db';
import { SEARCH_INDEX_FORMAT, type SlideSearchIndex } from './slide-index';

export type SearchIndexRecords = SlideModelRecords<SlideSearchIndex>;

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Checks an index read back from storage (it may be damaged or from an older version). */
export function isSlideSearchIndex(value: unknown): value is SlideSearchIndex {
  if (typeof value !== 'object' || value === null) return false;
  const index = value as Partial<SlideSearchIndex>;
  const grid = index.grid;
  if (index.format !== SEARCH_INDEX_FORMAT || typeof index.slideIdentity !== 'string' || typeof index.modelKey !== 'string') return false;
  if (!grid || ![grid.slideWidth, grid.slideHeight, grid.columns, grid.rows, grid.tileSideLevel0, grid.tileSidePixels].every(isFiniteNumber)) return false;
  if (!isFiniteNumber(index.embedDim) || !isFiniteNumber(index.minTissueFraction) || !isFiniteNumber(index.createdAt)) return false;
  if (!(index.cells instanceof Uint32Array) || !(index.embeddings instanceof Int8Array) || !(index.scales instanceof Float32Array)) return false;
  const count = index.cells.length;
  return index.scales.length === count && index.embeddings.length === count * index.embedDim && index.cells.every((cell) => cell < grid.columns * grid.rows);
}

export interface IndexedSlide {
  identity: string;
  metadata: { width: number; height: number };
}

/** The stored index of `slide` made with `modelKey`, or null when there is none that still fits. */
export async function loadSearchIndex(records: SearchIndexRecords, slide: IndexedSlide, modelKey: string): Promise<SlideSearchIndex | null> {
  const index = await records.load(slide.identity, modelKey);
  if (!index) return null;
  const fits =
    index.slideIdentity === slide.identity &&
    index.modelKey === modelKey &&
    index.grid.slideWidth === slide.metadata.width &&
    index.grid.slideHeight === slide.metadata.height;
  if (fits) return index;
  await records.remove(slide.identity, modelKey);
  return null;
}

export function saveSearchIndex(records: SearchIndexRecords, index: SlideSearchIndex): Promise<void> {
  return records.save(index.slideIdentity, index.modelKey, index);
}

export function indexedDbSearchIndexRecords(dbName = SLIDE_SEARCH_INDEXES.dbName): SearchIndexRecords {
  return indexedDbSlideModelRecords({ dbName, storeName: SLIDE_SEARCH_INDEXES.storeName, isValue: isSlideSearchIndex });
}

export function browserSearchIndexRecords(): SearchIndexRecords {
  return typeof indexedDB === 'undefined' ? memorySlideModelRecords() : indexedDbSearchIndexRecords();
}
