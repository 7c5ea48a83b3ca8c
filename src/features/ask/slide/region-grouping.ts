/**
 * From the best tiles of a slide to a few regions: tiles that touch (8-neighbours on the index grid) are one
 * region, a region larger than `maxSideTiles` on a side is cut into squares of that side, and overlapping regions
 * are thinned by non-maximum suppression. Pure: grid cells in, grid boxes out.
 */

export interface GridShape {
  columns: number;
  rows: number;
}

export interface ScoredCell {
  /** row * columns + column. */
  cell: number;
  score: number;
}

/** A rectangle of grid cells, both ends included. */
export interface CellBox {
  firstColumn: number;
  firstRow: number;
  lastColumn: number;
  lastRow: number;
}

export interface TileGroup {
  box: CellBox;
  /** The best tile's score (what the group is ranked by). */
  score: number;
  /** The cell of the best tile, and how many of the chosen tiles the group holds. */
  bestCell: number;
  tileCount: number;
}

/** Connected groups (8-neighbours) of `cells`; each a list of positions in `cells`. Breadth-first over a cell map. */
export function touchingGroups(grid: GridShape, cells: readonly ScoredCell[]): number[][] {
  const positionOf = new Map<number, number>();
  cells.forEach(({ cell }, position) => positionOf.set(cell, position));
  const seen = new Uint8Array(cells.length);
  const groups: number[][] = [];
  for (let start = 0; start < cells.length; start++) {
    if (seen[start]) continue;
    seen[start] = 1;
    const group = [start];
    for (let next = 0; next < group.length; next++) {
      const cell = cells[group[next]!]!.cell;
      const column = cell % grid.columns;
      const row = Math.floor(cell / grid.columns);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const c = column + dx;
          const r = row + dy;
          if ((dx === 0 && dy === 0) || c < 0 || r < 0 || c >= grid.columns || r >= grid.rows) continue;
          const position = positionOf.get(r * grid.columns + c);
          if (position !== undefined && !seen[position]) {
            seen[position] = 1;
            group.push(position);
          }
        }
      }
    }
    groups.push(group);
  }
  return groups;
}

/**
 * Groups the chosen tiles into regions of at most `maxSideTiles` x `maxSideTiles` cells: touching tiles together,
 * a large group cut into squares laid from its bounding box's top-left corner. Best region first.
 */
export function groupTiles(grid: GridShape, cells: readonly ScoredCell[], maxSideTiles: number): TileGroup[] {
  if (!(Number.isInteger(maxSideTiles) && maxSideTiles >= 1)) throw new RangeError(`A region is at least one tile wide, not ${maxSideTiles}.`);
  const regions: TileGroup[] = [];
  for (const group of touchingGroups(grid, cells)) {
    const columnOf = (position: number) => cells[position]!.cell % grid.columns;
    const rowOf = (position: number) => Math.floor(cells[position]!.cell / grid.columns);
    const originColumn = Math.min(...group.map(columnOf));
    const originRow = Math.min(...group.map(rowOf));
    const pieces = new Map<string, number[]>();
    for (const position of group) {
      const key = `${Math.floor((columnOf(position) - originColumn) / maxSideTiles)},${Math.floor((rowOf(position) - originRow) / maxSideTiles)}`;
      const piece = pieces.get(key);
      if (piece) piece.push(position);
      else pieces.set(key, [position]);
    }
    for (const piece of pieces.values()) {
      const best = piece.reduce((top, position) => (cells[position]!.score > cells[top]!.score ? position : top), piece[0]!);
      regions.push({
        box: {
          firstColumn: Math.min(...piece.map(columnOf)),
          firstRow: Math.min(...piece.map(rowOf)),
          lastColumn: Math.max(...piece.map(columnOf)),
          lastRow: Math.max(...piece.map(rowOf)),
        },
        score: cells[best]!.score,
        bestCell: cells[best]!.cell,
        tileCount: piece.length,
      });
    }
  }
  return regions.sort((a, b) => b.score - a.score || a.bestCell - b.bestCell);
}

/** `box` grown by `tiles` cells on every side, kept on the grid (context around the evidence). */
export function padBox(grid: GridShape, box: CellBox, tiles: number): CellBox {
  return {
    firstColumn: Math.max(0, box.firstColumn - tiles),
    firstRow: Math.max(0, box.firstRow - tiles),
    lastColumn: Math.min(grid.columns - 1, box.lastColumn + tiles),
    lastRow: Math.min(grid.rows - 1, box.lastRow + tiles),
  };
}

export function boxArea(box: CellBox): number {
  return (box.lastColumn - box.firstColumn + 1) * (box.lastRow - box.firstRow + 1);
}

export function intersectionOverUnion(a: CellBox, b: CellBox): number {
  const width = Math.min(a.lastColumn, b.lastColumn) - Math.max(a.firstColumn, b.firstColumn) + 1;
  const height = Math.min(a.lastRow, b.lastRow) - Math.max(a.firstRow, b.firstRow) + 1;
  if (width <= 0 || height <= 0) return 0;
  const shared = width * height;
  return shared / (boxArea(a) + boxArea(b) - shared);
}

/** Greedy non-maximum suppression: best first, a box is kept unless it overlaps a kept one by more than `maxIou`. */
export function nonMaximumSuppression<T extends { box: CellBox; score: number }>(candidates: readonly T[], maxIou: number): T[] {
  const ordered = [...candidates].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of ordered) {
    if (kept.every((other) => intersectionOverUnion(candidate.box, other.box) <= maxIou)) kept.push(candidate);
  }
  return kept;
}
