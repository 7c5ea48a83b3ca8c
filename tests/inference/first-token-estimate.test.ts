/**
 * The time-to-first-token estimate shown before the first question on a processor: patches as Qwen2-VL's
 * processor makes them, and the worker's short measurement scaled to the region's patches and prompt tokens.
 */
import { describe, expect, it } from 'vitest';
import { firstTokenSentence } from '../../src/features/models/weights-wording';
import { SPEED_SAMPLE_IMAGE_SIDE, estimateFirstTokenMs, estimateFirstTokenParts, imagePatches } from '../../src/inference/first-token-estimate';

describe('first-token estimate', () => {
  it('counts patches after the resize to multiples of 28 px', () => {
    expect(imagePatches(448, 336)).toBe(32 * 24);
    expect(imagePatches(SPEED_SAMPLE_IMAGE_SIDE, SPEED_SAMPLE_IMAGE_SIDE)).toBe(64);
    expect(imagePatches(100, 30)).toBe((112 / 14) * (28 / 14));
    // Over the pixel limit the image is scaled down first.
    expect(imagePatches(8000, 8000, 1000 * 1000)).toBeLessThanOrEqual((1000 * 1000) / 196);
  });

  it('scales the measured time per patch and per prompt token to the region', () => {
    const sample = { imagePatches: 64, imageMs: 640, promptTokens: 40, prefillMs: 200 };
    // 768 patches x 10 ms + (768 / 4 + 80 = 272 tokens) x 5 ms.
    expect(estimateFirstTokenMs(sample, 448, 336)).toBeCloseTo(7680 + 1360);
    expect(estimateFirstTokenMs({ ...sample, imagePatches: 0 }, 448, 336)).toBeNull();
    // After a pre-read of the image and the prompt before the question, only the question (30 tokens) is left.
    expect(estimateFirstTokenParts(sample, 448, 336)?.questionMs).toBeCloseTo(150);
  });

  it('says it in words for a typical region, or nothing without a measurement', () => {
    expect(firstTokenSentence({ imagePatches: 64, imageMs: 640, promptTokens: 40, prefillMs: 200 })).toBe(
      'A first question about a 448 x 336 px region should start answering in about 9.0 s on this computer (measured after loading).',
    );
    expect(firstTokenSentence({ imagePatches: 64, imageMs: 6400, promptTokens: 40, prefillMs: 2000 })).toContain('in about 90 s');
    expect(firstTokenSentence(null)).toBeNull();
  });
});
