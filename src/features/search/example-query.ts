/**
 * The query vector for "find regions like this one": the mean direction of the indexed tiles inside the
 * selected region (same tiling and scale as the index, no model call), or, when the region covers no indexed
 * tile, the model's embedding of the region itself read at the index's magnification.
 */
import type { PathoClipEngine } from '../../inference/pathoclip-engine';
import { planRegionRead } from '../../session/region-plan';
import type { SlideRect, SlideSource } from '../../slide/slide-source';
import { dequantize, meanDirection, tileOfCell, type SlideSearchIndex } from './slide-index';
import { cellsInRect } from './tile-grid';

export interface ExampleQuery {
  vector: Float32Array;
  /** How the vector was made, for the query's label. */
  source: { kind: 'indexed tiles'; tiles: number } | { kind: 'region pixels'; width: number; height: number };
}

/** Indexed tiles whose centres lie in `rect`. */
export function indexedTilesIn(index: SlideSearchIndex, rect: SlideRect): number[] {
  return cellsInRect(index.grid, rect)
    .map((cell) => tileOfCell(index, cell))
    .filter((tile) => tile >= 0);
}

export async function exampleQuery(
  index: SlideSearchIndex,
  rect: SlideRect,
  source: SlideSource,
  engine: PathoClipEngine,
  signal?: AbortSignal,
): Promise<ExampleQuery> {
  const tiles = indexedTilesIn(index, rect);
  const mean = meanDirection(tiles.map((tile) => dequantize(index, tile)));
  if (mean) return { vector: mean, source: { kind: 'indexed tiles', tiles: tiles.length } };
  const side = engine.info.imageSize;
  const slideMpp = source.metadata.mppX;
  const plan = planRegionRead({ width: rect.width, height: rect.height, slideMpp, magnification: index.grid.magnification ?? 20, maxPixels: side * side * 16 });
  if (!plan.ok) throw new Error(plan.reason);
  const region = await source.readRegion(rect, plan.targetMpp, signal);
  const [vector] = await engine.embedImages([region], signal);
  if (!vector) throw new Error('the model returned no embedding for the region');
  return { vector, source: { kind: 'region pixels', width: region.width, height: region.height } };
}
