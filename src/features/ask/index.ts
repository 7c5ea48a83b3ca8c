/** What the Ask feature offers the app: its panel, its store (for the test hook) and answer persistence. */
export { AskPanel } from './AskPanel';
export { askStore } from './ask-store';
export { installAnswerPersistence } from './answer-sync';
