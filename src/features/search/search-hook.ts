/**
 * The search code the test hook hands to Playwright and the clip benchmark, so they time the very functions the
 * Search tab runs (indexing with the worker engine and decode workers, chunked scoring) inside Chromium.
 */
import { buildSlideIndex } from './index-builder';
import { indexedDbSearchIndexRecords, saveSearchIndex } from './index-persistence';
import { pauseForEventLoop, scoreAllTiles, topK } from './similarity';
import { normalized, quantizeInto } from './slide-index';
import { planTileGrid, tileRect } from './tile-grid';

export const searchTestHook = {
  buildSlideIndex,
  scoreAllTiles,
  topK,
  pauseForEventLoop,
  normalized,
  quantizeInto,
  planTileGrid,
  tileRect,
  indexedDbSearchIndexRecords,
  saveSearchIndex,
};
