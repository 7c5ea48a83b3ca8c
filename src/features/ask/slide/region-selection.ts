/**
 * Picks the slide regions a question needs from the tile scores of its queries: the best tiles, grouped into
 * regions (touching tiles merged, large groups cut), padded with a tile of context, thinned by non-maximum
 * suppression, best first. Pure: an index's grid and cells in, level-0 rectangles out.
 */
import type { SlideRect } from '../../../slide/slide-source';
import { groupTiles, nonMaximumSuppression, padBox, type CellBox, type GridShape } from './region-grouping';
import { combineQueryScores } from './slide-queries';

export interface IndexedGrid extends GridShape {
  /** Side of one tile in level-0 pixels. */
  tileSideLevel0: number;
  slideWidth: number;
  slideHeight: number;
}

export interface RegionSelectionOptions {
  /** How many of the best tiles are grouped. */
  candidateTiles: number;
  /** Largest region side, in tiles, before a group is cut. */
  maxSideTiles: number;
  /** Tiles of context added around each group. */
  contextTiles: number;
  /** Overlap (IoU) above which the weaker of two regions is dropped. */
  maxIou: number;
  /** How many regions at most. */
  maxRegions: number;
}

export const DEFAULT_REGION_SELECTION: RegionSelectionOptions = { candidateTiles: 48, maxSideTiles: 3, contextTiles: 1, maxIou: 0.25, maxRegions: 8 };

export interface SelectedRegion {
  /** Level-0 rectangle, clipped to the slide. */
  rect: SlideRect;
  box: CellBox;
  /** Standardised score of its best tile (how far above the slide's usual it stands). */
  score: number;
  /** The query that found it (position in the query list). */
  query: number;
  tileCount: number;
}

/** The level-0 rectangle of a cell box, clipped to the slide. */
export function boxRect(grid: IndexedGrid, box: CellBox): SlideRect {
  const side = grid.tileSideLevel0;
  const x = box.firstColumn * side;
  const y = box.firstRow * side;
  return { x, y, width: Math.min(grid.slideWidth, (box.lastColumn + 1) * side) - x, height: Math.min(grid.slideHeight, (box.lastRow + 1) * side) - y };
}

/** The K best tile positions by score (ties: lower position first). Sorting is fine: this runs once per question. */
function bestTiles(scores: Float32Array, k: number): number[] {
  const order = Array.from(scores.keys()).filter((tile) => Number.isFinite(scores[tile]));
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, k);
}

/**
 * The regions for the queries' scores over an index's tiles (`cells[i]` is the grid cell of tile i; `perQuery[q][i]`
 * its score for query q).
 */
export function selectRegions(
  grid: IndexedGrid,
  cells: ArrayLike<number>,
  perQuery: readonly Float32Array[],
  options: RegionSelectionOptions = DEFAULT_REGION_SELECTION,
): SelectedRegion[] {
  const { scores, bestQuery } = combineQueryScores(perQuery);
  const top = bestTiles(scores, options.candidateTiles);
  const scored = top.map((tile) => ({ cell: cells[tile]!, score: scores[tile]! }));
  const queryOfCell = new Map(top.map((tile) => [cells[tile]!, bestQuery[tile]!]));
  const groups = groupTiles(grid, scored, options.maxSideTiles).map((group) => ({ ...group, box: padBox(grid, group.box, options.contextTiles) }));
  return nonMaximumSuppression(groups, options.maxIou)
    .slice(0, options.maxRegions)
    .map((group) => ({
      rect: boxRect(grid, group.box),
      box: group.box,
      score: group.score,
      query: queryOfCell.get(group.bestCell) ?? 0,
      tileCount: group.tileCount,
    }));
}
