/** What the Search feature offers the app: its panel, and its functions for the test hook. */
export { SearchPanel } from './SearchPanel';
export { searchTestHook } from './search-hook';
/** For "Ask the slide": the open slide's index (built with progress when missing) and text queries scored against it. */
export { ensureSlideIndex, cancelSlideIndexing, scoreTextQueries, useSlideIndexState, type SlideIndexState } from './slide-index-access';
export type { IndexingProgress } from './indexing-progress';
export { IndexingProgressView } from './IndexingProgressView';
/** Saving a file through the browser's download (the Ask tab exports conversations with it). */
export { downloadText } from './download-file';
export type { SlideSearchIndex } from './slide-index';
export type { TileGrid } from './tile-grid';
