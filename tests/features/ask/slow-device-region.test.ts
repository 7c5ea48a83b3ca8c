import { describe, expect, it } from 'vitest';
import { SLOW_DEVICE_MIN_PIXELS, slowDevicePixelCap } from '../../../src/features/ask/slow-device-region';

/** 0.1 ms per pixel: a 1-megapixel region takes 100 s. */
const linear = (width: number, height: number) => width * height * 0.1;

describe('a smaller region on a slow processor', () => {
  it('caps the pixels at the largest 28-px square whose estimate fits 30 s', () => {
    // 532² = 283,024 px -> 28.3 s; 560² = 313,600 px -> 31.4 s.
    expect(slowDevicePixelCap(linear, 1_003_520)).toBe(532 * 532);
  });

  it('leaves a fast computer, an unknown speed and a small maximum alone', () => {
    expect(slowDevicePixelCap((w, h) => w * h * 0.001, 1_003_520)).toBeNull();
    expect(slowDevicePixelCap(() => null, 1_003_520)).toBeNull();
    expect(slowDevicePixelCap(linear, 250_000)).toBeNull();
  });

  it('never goes below 448 x 448 px, however slow', () => {
    expect(slowDevicePixelCap((w, h) => w * h * 10, 1_003_520)).toBe(SLOW_DEVICE_MIN_PIXELS);
  });
});
