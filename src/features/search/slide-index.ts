/**
 * A slide's search index: one embedding per tissue tile, stored as int8 with a scale per tile (a quarter of
 * float32, and scored without unpacking). Embeddings are L2-normalised, so a component lies in [-1, 1] and
 * per-tile max-abs scaling keeps the cosine error near 1e-3. Pure.
 */
import type { TileGrid } from './tile-grid';

/** Bumped when the stored shape or the tiling rules change; older stored indexes are rebuilt. */
export const SEARCH_INDEX_FORMAT = 1;

export interface SlideSearchIndex {
  format: typeof SEARCH_INDEX_FORMAT;
  slideIdentity: string;
  modelKey: string;
  grid: TileGrid;
  embedDim: number;
  /** Grid cell (row * columns + column) of each indexed tile, ascending. */
  cells: Uint32Array;
  /** cells.length x embedDim quantised components. */
  embeddings: Int8Array;
  /** Per tile: component = embeddings[i] * scales[tile]. */
  scales: Float32Array;
  /** Minimum tissue share a tile needed to be indexed, and how many grid tiles that left out. */
  minTissueFraction: number;
  createdAt: number;
}

/** Writes `vector` quantised into `target` at `offset`; returns its scale. */
export function quantizeInto(vector: Float32Array, target: Int8Array, offset: number): number {
  let maxAbs = 0;
  for (const value of vector) maxAbs = Math.max(maxAbs, Math.abs(value));
  const scale = maxAbs === 0 ? 1 : maxAbs / 127;
  for (let i = 0; i < vector.length; i++) target[offset + i] = Math.round(vector[i]! / scale);
  return scale;
}

/** The float embedding of tile `tile` (for queries by example, which average indexed tiles). */
export function dequantize(index: Pick<SlideSearchIndex, 'embeddings' | 'scales' | 'embedDim'>, tile: number): Float32Array {
  const out = new Float32Array(index.embedDim);
  const offset = tile * index.embedDim;
  const scale = index.scales[tile]!;
  for (let i = 0; i < out.length; i++) out[i] = index.embeddings[offset + i]! * scale;
  return out;
}

/** The mean of `vectors`, L2-normalised (the direction they share); null when they cancel out. */
export function meanDirection(vectors: readonly Float32Array[]): Float32Array | null {
  if (vectors.length === 0) return null;
  const sum = new Float32Array(vectors[0]!.length);
  for (const vector of vectors) for (let i = 0; i < sum.length; i++) sum[i]! += vector[i]!;
  return normalized(sum);
}

export function normalized(vector: Float32Array): Float32Array | null {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (!(norm > 1e-12)) return null;
  return vector.map((value) => value / norm);
}

/** Index of a tile by its grid cell (binary search: cells are ascending), or -1. */
export function tileOfCell(index: Pick<SlideSearchIndex, 'cells'>, cell: number): number {
  let low = 0;
  let high = index.cells.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const value = index.cells[middle]!;
    if (value === cell) return middle;
    if (value < cell) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
