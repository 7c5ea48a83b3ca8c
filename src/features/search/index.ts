/** What the Search feature offers the app: its panel. */
export { SearchPanel } from './SearchPanel';
