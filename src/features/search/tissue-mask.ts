/**
 * Which parts of a slide hold tissue, from a low-resolution overview: stained tissue is coloured, glass is grey
 * or white, so the HSV saturation separates them, with Otsu's threshold chosen per slide. Pure.
 */
import type { RgbaImage } from '../../slide/slide-source';
import { tileRect, type TileGrid } from './tile-grid';

/**
 * Below this saturation (of 255) nothing counts as tissue, whatever Otsu says: on a slide that is all glass
 * Otsu would split the noise in two.
 */
export const MIN_TISSUE_SATURATION = 20;

/** A tile is indexed when at least this share of it is tissue. */
export const DEFAULT_MIN_TISSUE_FRACTION = 0.25;

export interface TissueMask {
  width: number;
  height: number;
  /** 1 = tissue, 0 = background, one byte per overview pixel. */
  data: Uint8Array;
  /** The saturation threshold used (0–255). */
  threshold: number;
}

/** HSV saturation (0–255) of every pixel; transparent pixels count as glass. */
export function saturationOf(image: RgbaImage): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  const data = image.data;
  for (let i = 0; i < out.length; i++) {
    const r = data[i * 4]!;
    const g = data[i * 4 + 1]!;
    const b = data[i * 4 + 2]!;
    const max = Math.max(r, g, b);
    out[i] = max === 0 || data[i * 4 + 3] === 0 ? 0 : Math.round(((max - Math.min(r, g, b)) * 255) / max);
  }
  return out;
}

/** Otsu's threshold of 8-bit values: the t maximising the between-class variance of {v <= t} and {v > t}. */
export function otsuThreshold(values: Uint8Array): number {
  const histogram = new Float64Array(256);
  for (const value of values) histogram[value]! += 1;
  const total = values.length;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) sumAll += v * histogram[v]!;
  let weightLow = 0;
  let sumLow = 0;
  let best = 0;
  let bestVariance = -1;
  for (let t = 0; t < 256; t++) {
    weightLow += histogram[t]!;
    if (weightLow === 0) continue;
    const weightHigh = total - weightLow;
    if (weightHigh === 0) break;
    sumLow += t * histogram[t]!;
    const meanLow = sumLow / weightLow;
    const meanHigh = (sumAll - sumLow) / weightHigh;
    const variance = weightLow * weightHigh * (meanLow - meanHigh) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  return best;
}

export function tissueMask(overview: RgbaImage): TissueMask {
  const saturation = saturationOf(overview);
  const threshold = Math.max(otsuThreshold(saturation), MIN_TISSUE_SATURATION);
  const data = new Uint8Array(saturation.length);
  for (let i = 0; i < data.length; i++) data[i] = saturation[i]! > threshold ? 1 : 0;
  return { width: overview.width, height: overview.height, data, threshold };
}

/** Summed-area table with a zero first row and column: the tissue count of any box in O(1). */
function integralOf(mask: TissueMask): Float64Array {
  const stride = mask.width + 1;
  const integral = new Float64Array(stride * (mask.height + 1));
  for (let y = 0; y < mask.height; y++) {
    let rowSum = 0;
    for (let x = 0; x < mask.width; x++) {
      rowSum += mask.data[y * mask.width + x]!;
      integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1]! + rowSum;
    }
  }
  return integral;
}

/**
 * Share of tissue under each grid tile (by cell). `downsampleX/Y` map level-0 pixels to mask pixels. A tile
 * covers at least the mask pixel under it, so tiles smaller than a mask pixel still get a fraction; the part
 * of an edge tile that lies past the slide counts as glass.
 */
export function tissueFractions(mask: TissueMask, grid: TileGrid, downsampleX: number, downsampleY: number): Float32Array {
  const integral = integralOf(mask);
  const stride = mask.width + 1;
  const fractions = new Float32Array(grid.columns * grid.rows);
  for (let cell = 0; cell < fractions.length; cell++) {
    const rect = tileRect(grid, cell);
    const x0 = Math.min(mask.width - 1, Math.floor(rect.x / downsampleX));
    const y0 = Math.min(mask.height - 1, Math.floor(rect.y / downsampleY));
    const x1 = Math.min(mask.width, Math.max(x0 + 1, Math.round((rect.x + rect.width) / downsampleX)));
    const y1 = Math.min(mask.height, Math.max(y0 + 1, Math.round((rect.y + rect.height) / downsampleY)));
    const tissue = integral[y1 * stride + x1]! - integral[y0 * stride + x1]! - integral[y1 * stride + x0]! + integral[y0 * stride + x0]!;
    // Area the tile would cover in the mask, including what lies past the slide's edge.
    const fullArea = Math.max(1, (rect.width / downsampleX) * (rect.height / downsampleY));
    const coveredArea = (x1 - x0) * (y1 - y0);
    fractions[cell] = (tissue / coveredArea) * Math.min(1, coveredArea / fullArea);
  }
  return fractions;
}

/** The cells worth embedding: those with at least `minFraction` tissue, in raster order. */
export function tissueCells(fractions: Float32Array, minFraction = DEFAULT_MIN_TISSUE_FRACTION): Uint32Array {
  const cells: number[] = [];
  fractions.forEach((fraction, cell) => {
    if (fraction >= minFraction) cells.push(cell);
  });
  return Uint32Array.from(cells);
}
