/** What the Ask feature offers the app: its panel, its store (for the test hook) and answer persistence. */
export { AskPanel } from './AskPanel';
export { askStore } from './ask-store';
export { installAnswerPersistence } from './answer-sync';
/** Streaming one Patho-R1 reply into <think> reasoning and <answer> (Practice asks its questions with it). */
export { streamAnswer, type StreamedAnswerPatch } from './stream-answer';
export type { AskDependencies } from './ask-store';
/** A region's PNG (session files, reports) and the answer record (session files). */
export { regionSnapshotPng } from './region-snapshot';
export type { AskAnswer } from './ask-store';
/** "Ask the slide" answers (session files). */
export { slideAskStore } from './slide/slide-ask-store';
export type { SlideAnswer } from './slide/slide-ask-store';
/** The id of an "Ask the slide" answer's review (session files carry the reviews of the slide's answers). */
export { slideReviewId } from './slide/slide-review-id';
