/**
 * Scores every indexed tile against a query embedding (cosine: both sides are normalised) and picks the best
 * K. Work is cut into chunks with a pause between them, so 100,000 tiles never hold the UI thread for more
 * than a few milliseconds at a time. Pure: Node tests and the benchmark run the same code.
 */
import { pauseForEventLoop } from '../../ui/event-loop';
import type { SlideSearchIndex } from './slide-index';

/** Tiles scored between two pauses (~1–3 ms of work for 512-wide embeddings). */
export const TILES_PER_CHUNK = 4096;

export interface TileScore {
  /** Position of the tile in the index. */
  tile: number;
  score: number;
}

export interface ScoringOptions {
  chunkSize?: number;
  /** Hands the thread back between chunks (the UI paints, input is handled); default: a macrotask. */
  pause?: () => Promise<void>;
  signal?: AbortSignal;
}

export { pauseForEventLoop };

/** Cosine similarity of tiles [from, to) with `query` (clamped to [-1, 1]), written into `scores`. */
export function scoreRange(
  index: Pick<SlideSearchIndex, 'embeddings' | 'scales' | 'embedDim'>,
  query: Float32Array,
  from: number,
  to: number,
  scores: Float32Array,
): void {
  const dim = index.embedDim;
  const embeddings = index.embeddings;
  for (let tile = from; tile < to; tile++) {
    let dot = 0;
    const offset = tile * dim;
    for (let i = 0; i < dim; i++) dot += embeddings[offset + i]! * query[i]!;
    // int8 rounding can put a near-identical tile a hair past 1; a cosine it stays.
    scores[tile] = Math.min(1, Math.max(-1, dot * index.scales[tile]!));
  }
}

/** Scores all tiles, a chunk at a time. Rejects with an AbortError when `signal` aborts. */
export async function scoreAllTiles(
  index: Pick<SlideSearchIndex, 'embeddings' | 'scales' | 'embedDim' | 'cells'>,
  query: Float32Array,
  { chunkSize = TILES_PER_CHUNK, pause = pauseForEventLoop, signal }: ScoringOptions = {},
): Promise<Float32Array> {
  if (query.length !== index.embedDim)
    throw new RangeError(`The query has ${query.length} dimensions but the index ${index.embedDim}; index the slide again with this model.`);
  const count = index.cells.length;
  const scores = new Float32Array(count);
  for (let from = 0; from < count; from += chunkSize) {
    signal?.throwIfAborted();
    scoreRange(index, query, from, Math.min(count, from + chunkSize), scores);
    if (from + chunkSize < count) await pause();
  }
  return scores;
}

/** The `k` best tiles, best first; equal scores keep index order. A min-heap of size k: O(n log k). */
export function topK(scores: Float32Array, k: number): TileScore[] {
  const size = Math.min(Math.max(0, Math.floor(k)), scores.length);
  if (size === 0) return [];
  // Heap of tile positions, worst at the root. "Worse" = lower score, or the same score and a later tile.
  const heap: number[] = [];
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const siftUp = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const siftDown = (i: number) => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && worse(heap[left]!, heap[worst]!)) worst = left;
      if (right < heap.length && worse(heap[right]!, heap[worst]!)) worst = right;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  };
  for (let tile = 0; tile < scores.length; tile++) {
    if (Number.isNaN(scores[tile])) continue;
    if (heap.length < size) {
      heap.push(tile);
      siftUp(heap.length - 1);
    } else if (worse(heap[0]!, tile)) {
      heap[0] = tile;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0)).map((tile) => ({ tile, score: scores[tile]! }));
}

/** Lowest and highest score (the heatmap's default colour range). */
export function scoreRangeOf(scores: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const score of scores) {
    if (score < min) min = score;
    if (score > max) max = score;
  }
  return scores.length === 0 ? { min: 0, max: 0 } : { min, max };
}
