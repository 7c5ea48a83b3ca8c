/** What the Feedback feature offers other features: the panel under an answer, the export button and the export format. */
export { FeedbackPanel, type FeedbackPanelProps } from './FeedbackPanel';
export { FeedbackExportButton } from './FeedbackExportButton';
export { browserFeedbackStore, indexedDbFeedbackStore, memoryFeedbackStore, type FeedbackStore } from './feedback-db';
export { buildFeedbackExport, feedbackExportFiles, feedbackExportZip } from './feedback-export';
export type { FeedbackRecord, FeedbackSource, FeedbackTurn, FeedbackVerdict } from './feedback-record';
