/** Samples of a decoded tile (any TIFF photometric) to RGBA, 8 bits a channel. */

/** JPEG/JFIF full-range YCbCr to RGB (what TIFF JPEG and Aperio JPEG 2000 33003 store). */
export function ycbcrToRgbInPlace(data: Uint8Array | Uint8ClampedArray, stride: number): void {
  for (let i = 0; i + 2 < data.length; i += stride) {
    const y = data[i]!;
    const cb = data[i + 1]! - 128;
    const cr = data[i + 2]! - 128;
    data[i] = clamp(y + 1.402 * cr);
    data[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    data[i + 2] = clamp(y + 1.772 * cb);
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

export interface SampleLayout {
  /** TIFF PhotometricInterpretation: 0 WhiteIsZero, 1 BlackIsZero, 2 RGB, 3 palette, 6 YCbCr. */
  photometric: number;
  samplesPerPixel: number;
  /** ExtraSamples value of the first extra sample: 1 associated alpha, 2 unassociated alpha. */
  alpha: boolean;
  /** Palette (TIFF ColorMap, 16-bit values: all reds, then greens, then blues). */
  colorMap: ArrayLike<number> | null;
}

/** Interleaved 8-bit samples -> RGBA. `samples` has width*height*samplesPerPixel bytes (more is ignored). */
export function samplesToRgba(samples: Uint8Array, width: number, height: number, layout: SampleLayout): Uint8ClampedArray {
  const { photometric, samplesPerPixel: spp } = layout;
  const pixels = width * height;
  const out = new Uint8ClampedArray(pixels * 4);
  if (samples.length < pixels * spp) throw new RangeError(`decoded tile has ${samples.length} bytes, expected ${pixels * spp}`);
  if (photometric === 2 || photometric === 6) {
    for (let p = 0, s = 0, o = 0; p < pixels; p++, s += spp, o += 4) {
      out[o] = samples[s]!;
      out[o + 1] = samples[s + 1]!;
      out[o + 2] = samples[s + 2]!;
      out[o + 3] = layout.alpha && spp > 3 ? samples[s + 3]! : 255;
    }
    if (photometric === 6) ycbcrToRgbInPlace(out, 4);
  } else if (photometric === 0 || photometric === 1) {
    const invert = photometric === 0 ? 255 : 0;
    for (let p = 0, s = 0, o = 0; p < pixels; p++, s += spp, o += 4) {
      const v = invert ^ samples[s]!;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = layout.alpha && spp > 1 ? samples[s + 1]! : 255;
    }
  } else if (photometric === 3 && layout.colorMap) {
    const map = layout.colorMap;
    const n = Math.floor(map.length / 3);
    for (let p = 0, o = 0; p < pixels; p++, o += 4) {
      const index = Math.min(samples[p * spp]!, n - 1);
      out[o] = (map[index]! >> 8) & 255;
      out[o + 1] = (map[n + index]! >> 8) & 255;
      out[o + 2] = (map[2 * n + index]! >> 8) & 255;
      out[o + 3] = 255;
    }
  } else {
    throw new RangeError(`photometric interpretation ${photometric}`);
  }
  return out;
}
