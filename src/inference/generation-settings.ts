/**
 * Sampling settings the Ask panel exposes. Greedy by default (reproducible answers a pathologist can
 * re-check); sampling only when the user asks for it.
 */
import { PATHO_R1_MAX_NEW_TOKENS } from './patho-r1-prompt';

export interface GenerationSettings {
  /** false = greedy decoding; the other sampling fields apply only when true. */
  sample: boolean;
  temperature: number;
  topP: number;
  topK: number;
  repetitionPenalty: number;
  maxNewTokens: number;
  /** Forces at least this many tokens (tests use it so tiny random models do not stop at once). */
  minNewTokens?: number;
}

export const DEFAULT_GENERATION_SETTINGS: GenerationSettings = {
  sample: false,
  temperature: 0.7,
  topP: 0.9,
  topK: 50,
  repetitionPenalty: 1.0,
  maxNewTokens: PATHO_R1_MAX_NEW_TOKENS,
};

/** Checks user-entered settings; returns sentences for each bad field (empty when all are fine). */
export function validateGenerationSettings(settings: GenerationSettings): string[] {
  const problems: string[] = [];
  if (!(settings.temperature > 0 && settings.temperature <= 5)) problems.push('Temperature must be above 0 and at most 5.');
  if (!(settings.topP > 0 && settings.topP <= 1)) problems.push('Top-p must be above 0 and at most 1.');
  if (!(Number.isInteger(settings.topK) && settings.topK >= 0)) problems.push('Top-k must be a whole number, 0 or more (0 turns it off).');
  if (!(settings.repetitionPenalty >= 1 && settings.repetitionPenalty <= 3)) problems.push('Repetition penalty must be between 1 and 3.');
  if (!(Number.isInteger(settings.maxNewTokens) && settings.maxNewTokens >= 1 && settings.maxNewTokens <= 32768)) {
    problems.push('Max new tokens must be a whole number from 1 to 32768.');
  }
  return problems;
}

/** The keyword arguments transformers.js `generate()` takes. */
export function toGenerateKwargs(settings: GenerationSettings): Record<string, number | boolean> {
  const kwargs: Record<string, number | boolean> = {
    max_new_tokens: settings.maxNewTokens,
    do_sample: settings.sample,
    repetition_penalty: settings.repetitionPenalty,
  };
  if (settings.minNewTokens !== undefined) kwargs.min_new_tokens = settings.minNewTokens;
  if (settings.sample) {
    kwargs.temperature = settings.temperature;
    kwargs.top_p = settings.topP;
    kwargs.top_k = settings.topK;
  }
  return kwargs;
}
