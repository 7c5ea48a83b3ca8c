import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS, toGenerateKwargs, validateGenerationSettings } from '../../src/inference/generation-settings';

describe('generation settings', () => {
  it('default to greedy decoding with Patho-R1s 2048 new tokens', () => {
    expect(toGenerateKwargs(DEFAULT_GENERATION_SETTINGS)).toEqual({ max_new_tokens: 2048, do_sample: false, repetition_penalty: 1 });
    expect(validateGenerationSettings(DEFAULT_GENERATION_SETTINGS)).toEqual([]);
  });

  it('pass sampling knobs only when sampling', () => {
    expect(toGenerateKwargs({ ...DEFAULT_GENERATION_SETTINGS, sample: true, temperature: 0.3, topP: 0.8, topK: 20, minNewTokens: 4 })).toEqual({
      max_new_tokens: 2048,
      min_new_tokens: 4,
      do_sample: true,
      repetition_penalty: 1,
      temperature: 0.3,
      top_p: 0.8,
      top_k: 20,
    });
  });

  it('explain every bad field in a sentence', () => {
    const problems = validateGenerationSettings({ sample: true, temperature: 0, topP: 1.5, topK: 2.5, repetitionPenalty: 0.5, maxNewTokens: 0 });
    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe('Temperature must be above 0 and at most 5.');
  });
});
