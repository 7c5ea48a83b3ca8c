/**
 * A level whose pixels are not the page's tile grid as stored, but parts of the page's tiles placed at other
 * positions (Ventana BIF: camera tiles that overlap, placed by the stitching information). Pure: which pieces lie
 * under an output tile, and painting them in order (a later piece covers an earlier one).
 */
import type { RgbaImage } from './slide-source';

/** A rectangle of one stored tile of the page, and where its top-left pixel goes in the level. */
export interface PlacedPiece {
  /** The stored tile (column, row of the page's tile grid). */
  column: number;
  row: number;
  /** Top-left of the piece inside that tile. */
  srcX: number;
  srcY: number;
  width: number;
  height: number;
  /** Where it goes in the level (whole pixels; may be negative, clipped when painted). */
  x: number;
  y: number;
}

export interface LevelPlacement {
  /** The level's size (what is placed; not the page's). */
  width: number;
  height: number;
  /** Pieces in painting order: a later piece covers an earlier one where they overlap. */
  pieces: PlacedPiece[];
}

/** For each output tile (row * columns + column) of a `tileWidth` x `tileHeight` grid, the pieces under it, in order. */
export function bucketPieces(placement: LevelPlacement, tileWidth: number, tileHeight: number): Map<number, number[]> {
  const columns = Math.ceil(placement.width / tileWidth);
  const rows = Math.ceil(placement.height / tileHeight);
  const buckets = new Map<number, number[]>();
  placement.pieces.forEach((piece, i) => {
    const c0 = Math.max(0, Math.floor(piece.x / tileWidth));
    const c1 = Math.min(columns - 1, Math.floor((piece.x + piece.width - 1) / tileWidth));
    const r0 = Math.max(0, Math.floor(piece.y / tileHeight));
    const r1 = Math.min(rows - 1, Math.floor((piece.y + piece.height - 1) / tileHeight));
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const key = r * columns + c;
        const list = buckets.get(key);
        if (list) list.push(i);
        else buckets.set(key, [i]);
      }
    }
  });
  return buckets;
}

/**
 * Paints `pieces` (their stored tiles in `tiles`, same order) into a white tile whose top-left is (x0, y0) in the
 * level; a piece's pixels beyond its decoded tile (the page's edge) are not painted.
 */
export function paintPieces(x0: number, y0: number, width: number, height: number, pieces: readonly PlacedPiece[], tiles: readonly RgbaImage[]): RgbaImage {
  const out: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4).fill(255) };
  pieces.forEach((piece, i) => {
    const image = tiles[i]!;
    const pieceWidth = Math.min(piece.width, image.width - piece.srcX);
    const pieceHeight = Math.min(piece.height, image.height - piece.srcY);
    const fromX = Math.max(piece.x, x0);
    const toX = Math.min(piece.x + pieceWidth, x0 + width);
    const fromY = Math.max(piece.y, y0);
    const toY = Math.min(piece.y + pieceHeight, y0 + height);
    if (toX <= fromX || toY <= fromY) return;
    for (let y = fromY; y < toY; y++) {
      const src = ((piece.srcY + y - piece.y) * image.width + piece.srcX + fromX - piece.x) * 4;
      out.data.set(image.data.subarray(src, src + (toX - fromX) * 4), ((y - y0) * width + fromX - x0) * 4);
    }
  });
  return out;
}
