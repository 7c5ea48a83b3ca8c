/**
 * Time to the first token before the first question, from a short measurement on this computer: once the model
 * is loaded on the processor, the worker answers one token about a small image (the vision tower on 64 patches,
 * the decoder on a short prompt); the time per patch and per prompt token scale to the region the user will ask
 * about. The vision tower's cost grows about linearly with patches (window attention; its 4 full-attention blocks
 * add a quadratic term that is small at region sizes), the prefill's with prompt tokens.
 */

/** What the measurement saw (milliseconds of the runtime's own session runs). */
export interface SpeedSample {
  imagePatches: number;
  imageMs: number;
  promptTokens: number;
  prefillMs: number;
}

/** The side of the square image the measurement reads: 112 px = 8 x 8 patches of 14 px, one 112-px window. */
export const SPEED_SAMPLE_IMAGE_SIDE = 112;

/** Patches of a width x height image after Qwen2-VL's resize to multiples of 28 px (patch 14, merge 2). */
export function imagePatches(width: number, height: number, maxPixels = 12845056): number {
  const factor = 28;
  let h = Math.max(factor, Math.round(height / factor) * factor);
  let w = Math.max(factor, Math.round(width / factor) * factor);
  if (h * w > maxPixels) {
    const scale = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / scale / factor) * factor);
    w = Math.max(factor, Math.floor(width / scale / factor) * factor);
  }
  return (h / 14) * (w / 14);
}

/** The system prompt, chat markup and a question, beside the image's tokens (one per 4 patches). */
const TEXT_TOKENS = 80;
/** A typical question with the assistant header: what is left to prefill after a pre-read prefilled the rest (#18). */
const QUESTION_TOKENS = 30;

/** The two parts of the wait for the first token: reading the image (vision tower) and the prompt's prefill. */
export interface FirstTokenParts {
  imageMs: number;
  promptMs: number;
  /** The question's share of promptMs: all that is left once the image and the prompt before it were read ahead. */
  questionMs: number;
}

/** Estimated milliseconds of each part for one image of width x height (an image read ahead skips imageMs). */
export function estimateFirstTokenParts(sample: SpeedSample, width: number, height: number): FirstTokenParts | null {
  if (sample.imagePatches <= 0 || sample.promptTokens <= 0) return null;
  const patches = imagePatches(width, height);
  const promptTokens = patches / 4 + TEXT_TOKENS;
  const msPerPromptToken = sample.prefillMs / sample.promptTokens;
  return {
    imageMs: (patches * sample.imageMs) / sample.imagePatches,
    promptMs: promptTokens * msPerPromptToken,
    questionMs: QUESTION_TOKENS * msPerPromptToken,
  };
}

/** Estimated milliseconds from the question to the first token for one image of width x height. */
export function estimateFirstTokenMs(sample: SpeedSample, width: number, height: number): number | null {
  const parts = estimateFirstTokenParts(sample, width, height);
  return parts && parts.imageMs + parts.promptMs;
}
