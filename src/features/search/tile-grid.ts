/**
 * The grid a slide is indexed on: square tiles of the model's image size at a chosen magnification, laid over
 * the slide from its top-left corner. Pure: the same plan drives the indexer, the heatmap and the exports.
 */
import type { SlideRect } from '../../slide/slide-source';

/** Microns per pixel at 1x: scanners' and QuPath's convention (10x ≈ 1 µm/px, 40x ≈ 0.25 µm/px). */
const MICRONS_PER_PIXEL_AT_1X = 10;

export const DEFAULT_INDEX_MAGNIFICATION = 20;
export const INDEX_MAGNIFICATIONS = [5, 10, 20, 40] as const;

export interface TileGrid {
  /** Slide size in level-0 pixels. */
  slideWidth: number;
  slideHeight: number;
  columns: number;
  rows: number;
  /** Side of one tile in level-0 pixels (fractional when the scale is not a power of two). */
  tileSideLevel0: number;
  /** Side of one tile in the pixels handed to the model (the model's image size). */
  tileSidePixels: number;
  /** µm per pixel the tiles are read at; null when the slide has no scale (tiles are read at full resolution). */
  targetMpp: number | null;
  /** Magnification the tiles are read at; null when the slide has no scale. */
  magnification: number | null;
}

export interface GridInput {
  width: number;
  height: number;
  mppX: number | null;
  mppY: number | null;
}

function slideMppOf({ mppX, mppY }: Pick<GridInput, 'mppX' | 'mppY'>): number | null {
  const known = [mppX, mppY].filter((value): value is number => value !== null && Number.isFinite(value) && value > 0);
  return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0) / known.length;
}

/**
 * The grid for `magnification` and tiles of `tileSidePixels`. A slide scanned below the wanted magnification is
 * tiled at its own (no upsampling: it would add no detail); a slide without a scale at full resolution.
 */
export function planTileGrid(slide: GridInput, magnification: number, tileSidePixels: number): TileGrid {
  if (!(magnification > 0)) throw new RangeError(`${magnification}x is not a magnification a slide can be indexed at.`);
  if (!(Number.isInteger(tileSidePixels) && tileSidePixels > 0)) throw new RangeError(`${tileSidePixels} px is not a tile size.`);
  const slideMpp = slideMppOf(slide);
  const targetMpp = slideMpp === null ? null : Math.max(MICRONS_PER_PIXEL_AT_1X / magnification, slideMpp);
  const tileSideLevel0 = slideMpp === null || targetMpp === null ? tileSidePixels : (tileSidePixels * targetMpp) / slideMpp;
  return {
    slideWidth: slide.width,
    slideHeight: slide.height,
    columns: Math.max(1, Math.ceil(slide.width / tileSideLevel0)),
    rows: Math.max(1, Math.ceil(slide.height / tileSideLevel0)),
    tileSideLevel0,
    tileSidePixels,
    targetMpp,
    magnification: targetMpp === null ? null : MICRONS_PER_PIXEL_AT_1X / targetMpp,
  };
}

/** The level-0 rectangle of the tile in `cell` (row * columns + column). Edge tiles may reach past the slide (read as glass). */
export function tileRect(grid: TileGrid, cell: number): SlideRect {
  const column = cell % grid.columns;
  const row = Math.floor(cell / grid.columns);
  return { x: column * grid.tileSideLevel0, y: row * grid.tileSideLevel0, width: grid.tileSideLevel0, height: grid.tileSideLevel0 };
}

/** The cell whose tile holds the level-0 point, or null outside the grid. */
export function cellAt(grid: TileGrid, x: number, y: number): number | null {
  const column = Math.floor(x / grid.tileSideLevel0);
  const row = Math.floor(y / grid.tileSideLevel0);
  if (column < 0 || row < 0 || column >= grid.columns || row >= grid.rows) return null;
  return row * grid.columns + column;
}

/** The cells of the tiles whose centres lie inside `rect` (at least the one under its centre). */
export function cellsInRect(grid: TileGrid, rect: SlideRect): number[] {
  const side = grid.tileSideLevel0;
  const firstColumn = Math.max(0, Math.ceil(rect.x / side - 0.5));
  const lastColumn = Math.min(grid.columns - 1, Math.floor((rect.x + rect.width) / side - 0.5));
  const firstRow = Math.max(0, Math.ceil(rect.y / side - 0.5));
  const lastRow = Math.min(grid.rows - 1, Math.floor((rect.y + rect.height) / side - 0.5));
  const cells: number[] = [];
  for (let row = firstRow; row <= lastRow; row++) for (let column = firstColumn; column <= lastColumn; column++) cells.push(row * grid.columns + column);
  if (cells.length > 0) return cells;
  const centre = cellAt(grid, rect.x + rect.width / 2, rect.y + rect.height / 2);
  return centre === null ? [] : [centre];
}
