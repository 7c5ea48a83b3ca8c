/**
 * Fluorescence rendering as Viv and QuPath do it: each channel's values windowed to [0, 1] by its contrast
 * window, times its colour, added into RGB and clipped. Also the default window, taken from the data itself.
 * Pure functions: the decode workers composite tiles with them, the reader computes windows with them.
 */
import type { SampleValues } from './sample-values';

export type Rgb = [number, number, number];

/** How one channel is drawn now. */
export interface ChannelDisplay {
  color: Rgb;
  /** Sample values mapped to black and to full colour. */
  window: [number, number];
  visible: boolean;
}

/** One channel's samples in a tile: `values[offset + i * stride]` is pixel i. */
export interface ChannelSamples {
  values: SampleValues;
  stride: number;
  offset: number;
}

/** Composites `pixels` pixels of the given channels into opaque RGBA. */
export function compositeChannels(channels: ChannelSamples[], displays: ChannelDisplay[], pixels: number): Uint8ClampedArray {
  const sums = new Float64Array(pixels * 3);
  channels.forEach((channel, c) => {
    const display = displays[c];
    if (!display?.visible) return;
    const [low, high] = display.window;
    const span = Math.max(high - low, 1e-12);
    const [r, g, b] = display.color;
    const { values, stride, offset } = channel;
    for (let p = 0; p < pixels; p++) {
      const t = Math.min(1, Math.max(0, (values[offset + p * stride]! - low) / span));
      sums[p * 3] = sums[p * 3]! + t * r;
      sums[p * 3 + 1] = sums[p * 3 + 1]! + t * g;
      sums[p * 3 + 2] = sums[p * 3 + 2]! + t * b;
    }
  });
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    // Uint8ClampedArray clips; floor(x + 0.5) rounds halves up, the same on every platform.
    out[p * 4] = Math.floor(sums[p * 3]! + 0.5);
    out[p * 4 + 1] = Math.floor(sums[p * 3 + 1]! + 0.5);
    out[p * 4 + 2] = Math.floor(sums[p * 3 + 2]! + 0.5);
    out[p * 4 + 3] = 255;
  }
  return out;
}

export interface ChannelStatistics {
  min: number;
  max: number;
  /** 0.1th and 99.9th percentile: the default window, so a few hot or dead pixels do not set it. */
  window: [number, number];
}

/**
 * Counts of integer sample values (8- or 16-bit, signed or not): exact percentiles in bounded memory, however
 * many pixels the lowest level has.
 */
export class ValueHistogram {
  private static readonly OFFSET = 32768;
  private readonly counts = new Uint32Array(65536 + 32768);
  private total = 0;

  add(value: number): void {
    this.counts[value + ValueHistogram.OFFSET]!++;
    this.total++;
  }

  /** Range, and the 0.1th-99.9th percentile window (the lower order statistic, floor(q * (n - 1))). */
  statistics(): ChannelStatistics {
    if (this.total === 0) return { min: 0, max: 0, window: [0, 1] };
    const ranks = [0, Math.floor(0.001 * (this.total - 1)), Math.floor(0.999 * (this.total - 1)), this.total - 1];
    const found: number[] = [];
    let seen = 0;
    for (let bin = 0; bin < this.counts.length && found.length < ranks.length; bin++) {
      seen += this.counts[bin]!;
      while (found.length < ranks.length && seen > ranks[found.length]!) found.push(bin - ValueHistogram.OFFSET);
    }
    const [min, low, high, max] = found as [number, number, number, number];
    return { min, max, window: high > low ? [low, high] : [low, low + 1] };
  }
}

/** Default colours when the file gives none: one channel white, several as QuPath's fluorescence defaults. */
export function defaultChannelColor(index: number, count: number): Rgb {
  if (count === 1) return [255, 255, 255];
  const palette: Rgb[] = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [0, 255, 255],
    [255, 0, 255],
    [255, 255, 0],
  ];
  return palette[index % palette.length]!;
}
