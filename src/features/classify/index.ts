/** What the Classify feature offers the app and other features: its panel and the zero-shot scoring. */
export { ClassifyPanel } from './ClassifyPanel';
export { zeroShotClassify, meanEmbedding, type ClassScore } from './zero-shot';
export { PRESET_LABEL_SETS, classPrompts, type LabelSet } from './label-sets';
