/** What the Search feature offers the app: its panel, and its functions for the test hook. */
export { SearchPanel } from './SearchPanel';
export { searchTestHook } from './search-hook';
