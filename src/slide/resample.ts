/**
 * Resampling RGBA pixels by a separable filter: box (area) averaging when shrinking, so no detail is skipped,
 * and bilinear when enlarging. Real pixels, not a canvas: the same numbers in Node and every browser.
 */
import type { RgbaImage } from './slide-source';

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

/** For each output index, the source indices and weights covering [origin + i*scale, origin + (i+1)*scale). */
function taps(outSize: number, origin: number, scale: number, srcSize: number): Taps {
  const stride = Math.max(2, Math.ceil(scale) + 2);
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  const clampIndex = (i: number) => Math.min(Math.max(i, 0), srcSize - 1);
  for (let i = 0; i < outSize; i++) {
    if (scale > 1) {
      const a = origin + i * scale;
      const b = a + scale;
      const first = Math.floor(a);
      const last = Math.ceil(b) - 1;
      start[i] = first;
      let n = 0;
      for (let s = first; s <= last && n < stride; s++, n++) {
        weights[i * stride + n] = (Math.min(b, s + 1) - Math.max(a, s)) / scale;
      }
      count[i] = n;
    } else {
      // Pixel centres: output centre i + 0.5 maps to source coordinate origin + (i + 0.5) * scale.
      const centre = origin + (i + 0.5) * scale - 0.5;
      const first = Math.floor(centre);
      const t = centre - first;
      start[i] = first;
      count[i] = 2;
      weights[i * stride] = 1 - t;
      weights[i * stride + 1] = t;
    }
    // Edge taps are clamped onto the image (replicating the border pixel).
    const s0 = start[i]!;
    if (s0 < 0 || s0 + count[i]! > srcSize) {
      const merged = new Map<number, number>();
      for (let n = 0; n < count[i]!; n++) {
        const index = clampIndex(s0 + n);
        merged.set(index, (merged.get(index) ?? 0) + weights[i * stride + n]!);
      }
      const keys = [...merged.keys()].sort((x, y) => x - y);
      start[i] = keys[0]!;
      count[i] = keys[keys.length - 1]! - keys[0]! + 1;
      for (let n = 0; n < count[i]!; n++) weights[i * stride + n] = merged.get(keys[0]! + n) ?? 0;
    }
  }
  return { start, count, weights, stride };
}

/**
 * The source area [x, x + width*scaleX) x [y, y + height*scaleY) of `src` (in its pixels, fractions allowed)
 * resampled to width x height.
 */
export function resampleRgba(src: RgbaImage, x: number, y: number, scaleX: number, scaleY: number, width: number, height: number): RgbaImage {
  const tx = taps(width, x, scaleX, src.width);
  const ty = taps(height, y, scaleY, src.height);
  // Horizontal pass over only the source rows the vertical pass will use.
  const rowFirst = ty.start.reduce((m, v) => Math.min(m, v), Number.MAX_SAFE_INTEGER);
  const rowLast = ty.start.reduce((m, v, i) => Math.max(m, v + ty.count[i]! - 1), 0);
  const rows = rowLast - rowFirst + 1;
  const mid = new Float32Array(rows * width * 4);
  for (let r = 0; r < rows; r++) {
    const srcRow = (rowFirst + r) * src.width * 4;
    for (let i = 0; i < width; i++) {
      let c0 = 0,
        c1 = 0,
        c2 = 0,
        c3 = 0;
      const s0 = tx.start[i]!;
      for (let n = 0; n < tx.count[i]!; n++) {
        const w = tx.weights[i * tx.stride + n]!;
        const at = srcRow + (s0 + n) * 4;
        c0 += w * src.data[at]!;
        c1 += w * src.data[at + 1]!;
        c2 += w * src.data[at + 2]!;
        c3 += w * src.data[at + 3]!;
      }
      const o = (r * width + i) * 4;
      mid[o] = c0;
      mid[o + 1] = c1;
      mid[o + 2] = c2;
      mid[o + 3] = c3;
    }
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let j = 0; j < height; j++) {
    const s0 = ty.start[j]! - rowFirst;
    for (let i = 0; i < width; i++) {
      let c0 = 0,
        c1 = 0,
        c2 = 0,
        c3 = 0;
      for (let n = 0; n < ty.count[j]!; n++) {
        const w = ty.weights[j * ty.stride + n]!;
        const at = ((s0 + n) * width + i) * 4;
        c0 += w * mid[at]!;
        c1 += w * mid[at + 1]!;
        c2 += w * mid[at + 2]!;
        c3 += w * mid[at + 3]!;
      }
      const o = (j * width + i) * 4;
      out[o] = Math.round(c0);
      out[o + 1] = Math.round(c1);
      out[o + 2] = Math.round(c2);
      out[o + 3] = Math.round(c3);
    }
  }
  return { width, height, data: out };
}
