/**
 * Builds a slide's search index: plan the grid, find tissue on a low-resolution level, then read the tissue
 * tiles a block at a time (one readRegion per block instead of one per tile) and embed them in batches, reading
 * the next batch while the model embeds the current one. Reports progress and stops when `signal` aborts.
 */
import type { PathoClipEngine } from '../../inference/pathoclip-engine';
import type { RgbaImage, SlideSource } from '../../slide/slide-source';
import { embeddingProgress, type IndexingProgress } from './indexing-progress';
import { SEARCH_INDEX_FORMAT, quantizeInto, type SlideSearchIndex } from './slide-index';
import { readSlideOverview } from './slide-overview';
import { planTileGrid, type TileGrid } from './tile-grid';
import { DEFAULT_MIN_TISSUE_FRACTION, tissueCells, tissueFractions, tissueMask } from './tissue-mask';

export const DEFAULT_BATCH_SIZE = 32;
/** Tiles per side of one block read (8 x 8 tiles of 224 px: a 1792 px square, 12.8 MB of RGBA). */
export const DEFAULT_BLOCK_TILES = 8;

export interface BuildIndexOptions {
  source: SlideSource;
  slideIdentity: string;
  engine: PathoClipEngine;
  /** Key the index is stored under (default: the engine's model key). */
  modelKey?: string;
  magnification: number;
  minTissueFraction?: number;
  batchSize?: number;
  blockTiles?: number;
  signal?: AbortSignal;
  onProgress?(progress: IndexingProgress): void;
  now?(): number;
}

/** A tile waiting to be embedded: its pixels and its position in the index. */
interface PendingTile {
  image: RgbaImage;
  tile: number;
}

/** The `side` x `side` square at (x, y) of `image`; what lies outside is white (glass). */
export function cropSquare(image: RgbaImage, x: number, y: number, side: number): RgbaImage {
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  const width = Math.min(side, image.width - x);
  for (let row = 0; row < side && y + row < image.height; row++) {
    if (width <= 0) break;
    const from = ((y + row) * image.width + x) * 4;
    data.set(image.data.subarray(from, from + width * 4), row * side * 4);
  }
  return { width: side, height: side, data };
}

/** Tissue tiles grouped into blocks of blockTiles x blockTiles cells, blocks in raster order. */
export function blocksOf(grid: TileGrid, cells: Uint32Array, blockTiles: number): number[][] {
  const blockColumns = Math.ceil(grid.columns / blockTiles);
  const blocks = new Map<number, number[]>();
  cells.forEach((cell, tile) => {
    const block = Math.floor(Math.floor(cell / grid.columns) / blockTiles) * blockColumns + Math.floor((cell % grid.columns) / blockTiles);
    let tiles = blocks.get(block);
    if (!tiles) blocks.set(block, (tiles = []));
    tiles.push(tile);
  });
  return [...blocks.entries()].sort(([a], [b]) => a - b).map(([, tiles]) => tiles);
}

/** Reads the pixels of `tiles` (positions in `cells`) with one region read over their bounding box. */
async function readBlock(source: SlideSource, grid: TileGrid, cells: Uint32Array, tiles: number[], signal?: AbortSignal): Promise<PendingTile[]> {
  const columnOf = (tile: number) => cells[tile]! % grid.columns;
  const rowOf = (tile: number) => Math.floor(cells[tile]! / grid.columns);
  const firstColumn = Math.min(...tiles.map(columnOf));
  const lastColumn = Math.max(...tiles.map(columnOf));
  const firstRow = Math.min(...tiles.map(rowOf));
  const lastRow = Math.max(...tiles.map(rowOf));
  const side = grid.tileSideLevel0;
  const rect = { x: firstColumn * side, y: firstRow * side, width: (lastColumn - firstColumn + 1) * side, height: (lastRow - firstRow + 1) * side };
  const region = await source.readRegion(rect, grid.targetMpp, signal);
  // Pixels per tile in what came back (the model's image size, up to rounding of the region's size).
  const stepX = region.width / (lastColumn - firstColumn + 1);
  const stepY = region.height / (lastRow - firstRow + 1);
  return tiles.map((tile) => ({
    tile,
    image: cropSquare(region, Math.round((columnOf(tile) - firstColumn) * stepX), Math.round((rowOf(tile) - firstRow) * stepY), grid.tileSidePixels),
  }));
}

export class NoTissueError extends Error {
  override name = 'NoTissueError';
}

export async function buildSlideIndex({
  source,
  slideIdentity,
  engine,
  modelKey = engine.info.modelKey,
  magnification,
  minTissueFraction = DEFAULT_MIN_TISSUE_FRACTION,
  batchSize = DEFAULT_BATCH_SIZE,
  blockTiles = DEFAULT_BLOCK_TILES,
  signal,
  onProgress,
  now = () => performance.now(),
}: BuildIndexOptions): Promise<SlideSearchIndex> {
  const { info } = engine;
  const grid = planTileGrid(source.metadata, magnification, info.imageSize);
  onProgress?.({ phase: 'finding tissue', done: 0, total: 0, tilesPerSecond: null, secondsLeft: null });
  const overview = await readSlideOverview(source, undefined, signal);
  const mask = tissueMask(overview.image);
  const cells = tissueCells(tissueFractions(mask, grid, overview.downsampleX, overview.downsampleY), minTissueFraction);
  if (cells.length === 0)
    throw new NoTissueError(`No tissue was found on ${source.metadata.name} (every tile looks like glass), so there is nothing to index.`);

  const embeddings = new Int8Array(cells.length * info.embedDim);
  const scales = new Float32Array(cells.length);
  const started = now();
  let done = 0;
  const store = (batch: PendingTile[], vectors: Float32Array[]) => {
    if (vectors.length !== batch.length) throw new Error(`the model returned ${vectors.length} embeddings for ${batch.length} tiles`);
    batch.forEach(({ tile }, i) => {
      const vector = vectors[i]!;
      if (vector.length !== info.embedDim) throw new Error(`the model returned an embedding of ${vector.length} values, not ${info.embedDim}`);
      scales[tile] = quantizeInto(vector, embeddings, tile * info.embedDim);
    });
    done += batch.length;
    onProgress?.(embeddingProgress(done, cells.length, started, now()));
  };

  // One batch embeds while the next one is read.
  let embedding: Promise<void> = Promise.resolve();
  let pending: PendingTile[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    await embedding;
    signal?.throwIfAborted();
    embedding = engine
      .embedImages(
        batch.map(({ image }) => image),
        signal,
      )
      .then((vectors) => store(batch, vectors));
    // Keep the rejection observed until it is awaited, so a failure mid-read is not reported as unhandled.
    embedding.catch(() => undefined);
  };
  for (const tiles of blocksOf(grid, cells, blockTiles)) {
    signal?.throwIfAborted();
    for (const tile of await readBlock(source, grid, cells, tiles, signal)) {
      pending.push(tile);
      if (pending.length >= batchSize) await flush();
    }
  }
  if (pending.length > 0) await flush();
  await embedding;

  return {
    format: SEARCH_INDEX_FORMAT,
    slideIdentity,
    modelKey,
    grid,
    embedDim: info.embedDim,
    cells,
    embeddings,
    scales,
    minTissueFraction,
    createdAt: Date.now(),
  };
}
