/** Level choice, resampling and JPEG stream assembly: pure functions with exact expected numbers. */
import { describe, expect, it } from 'vitest';
import { chooseLevel } from '../../src/slide/level-choice';
import { resampleRgba } from '../../src/slide/resample';
import { ADOBE_APP14_NO_TRANSFORM, buildTileJpeg, jpegDimensions } from '../../src/slide/jpeg-stream';
import type { SlideLevel } from '../../src/slide/slide-source';

const level = (downsample: number): SlideLevel => ({ width: Math.round(1000 / downsample), height: 1000, downsample, tileWidth: 256, tileHeight: 256 });

describe('chooseLevel', () => {
  const levels = [level(1), level(4), level(16.02), level(64)];
  it('takes the coarsest level still at least as detailed as wanted', () => {
    expect(chooseLevel(levels, 1)).toBe(0);
    expect(chooseLevel(levels, 3.9)).toBe(0);
    expect(chooseLevel(levels, 4)).toBe(1);
    expect(chooseLevel(levels, 15)).toBe(1);
    expect(chooseLevel(levels, 16)).toBe(2); // within rounding of 16.02
    expect(chooseLevel(levels, 1000)).toBe(3);
    expect(chooseLevel(levels, 0.5)).toBe(0);
  });
});

describe('resampleRgba', () => {
  const image = (w: number, h: number, f: (x: number, y: number) => number) => {
    const data = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([f(x, y), 0, 0, 255], (y * w + x) * 4);
    return { width: w, height: h, data };
  };
  const red = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number) => img.data[(y * img.width + x) * 4];

  it('copies exactly at scale 1', () => {
    const src = image(5, 4, (x, y) => x * 10 + y);
    const out = resampleRgba(src, 1, 1, 1, 1, 3, 2);
    expect([red(out, 0, 0), red(out, 2, 1)]).toEqual([11, 32]);
  });
  it('averages areas when shrinking (no pixel skipped)', () => {
    const src = image(4, 4, (x, y) => ((x + y) % 2 ? 200 : 0));
    const out = resampleRgba(src, 0, 0, 2, 2, 2, 2);
    expect(Array.from({ length: 4 }, (_, i) => red(out, i % 2, i >> 1))).toEqual([100, 100, 100, 100]);
    // A fractional scale weights partial pixels.
    const ramp = image(3, 1, (x) => x * 90);
    expect(red(resampleRgba(ramp, 0, 0, 1.5, 1, 2, 1), 0, 0)).toBe(30); // (0 + 0.5*90)/1.5
  });
  it('interpolates when enlarging', () => {
    const src = image(2, 1, (x) => x * 100);
    const out = resampleRgba(src, 0, 0, 0.5, 1, 4, 1);
    expect([0, 1, 2, 3].map((x) => red(out, x, 0))).toEqual([0, 25, 75, 100]);
  });
});

describe('buildTileJpeg', () => {
  const tables = Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0, 3, 9, 0xff, 0xd9]);
  const tile = Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 16, 0, 32, 3, 1, 0xff, 0xd9]);
  it('joins tables and tile into one stream, with APP14 for RGB', () => {
    const rgb = buildTileJpeg(tile, tables, true);
    expect(Array.from(rgb.subarray(0, 2))).toEqual([0xff, 0xd8]);
    expect(Array.from(rgb.subarray(2, 18))).toEqual(Array.from(ADOBE_APP14_NO_TRANSFORM));
    expect(Array.from(rgb.subarray(18, 23))).toEqual([0xff, 0xdb, 0, 3, 9]);
    expect(Array.from(rgb.subarray(23))).toEqual(Array.from(tile.subarray(2)));
    expect(jpegDimensions(rgb)).toEqual({ width: 32, height: 16 });
    const ycc = buildTileJpeg(tile, null, false);
    expect(Array.from(ycc)).toEqual(Array.from(tile));
  });
});
