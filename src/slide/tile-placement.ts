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
  /** Where its top-left pixel goes in the level (whole pixels; may be negative, clipped when painted). */
  x: number;
  y: number;
  /**
   * The exact position when it falls between pixels: the piece is then drawn as cairo draws a translated image
   * (bilinear, 7-bit weights, transparent outside the piece), as OpenSlide does.
   */
  exactX?: number;
  exactY?: number;
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
    const [left, top, right, bottom] = extent(piece);
    const c0 = Math.max(0, Math.floor(left / tileWidth));
    const c1 = Math.min(columns - 1, Math.floor((right - 1) / tileWidth));
    const r0 = Math.max(0, Math.floor(top / tileHeight));
    const r1 = Math.min(rows - 1, Math.floor((bottom - 1) / tileHeight));
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

/** The level pixels a piece can touch: [left, top, right, bottom). */
function extent(piece: PlacedPiece): [number, number, number, number] {
  const left = piece.exactX === undefined ? piece.x : Math.floor(piece.exactX);
  const top = piece.exactY === undefined ? piece.y : Math.floor(piece.exactY);
  return [left, top, left + piece.width + (piece.exactX === undefined ? 0 : 1), top + piece.height + (piece.exactY === undefined ? 0 : 1)];
}

/**
 * Paints `pieces` (their stored tiles in `tiles`, same order) into the tile whose top-left is (x0, y0) in the
 * level, as OpenSlide paints with cairo: the last piece first, each next one only where the ones before left the
 * tile uncovered (SATURATE, premultiplied), pieces between pixels interpolated as pixman does; then what is left
 * uncovered, or partly covered at a piece's edge, is shown on white. A piece's pixels beyond its decoded tile (the
 * page's edge) are transparent.
 */
export function paintPieces(x0: number, y0: number, width: number, height: number, pieces: readonly PlacedPiece[], tiles: readonly RgbaImage[]): RgbaImage {
  const acc = new Uint8ClampedArray(width * height * 4); // premultiplied RGBA, transparent
  for (let p = pieces.length - 1; p >= 0; p--) {
    const piece = pieces[p]!;
    const image = tiles[p]!;
    const pieceWidth = Math.max(0, Math.min(piece.width, image.width - piece.srcX));
    const pieceHeight = Math.max(0, Math.min(piece.height, image.height - piece.srcY));
    if (pieceWidth === 0 || pieceHeight === 0) continue;
    const [left, top, right, bottom] = extent(piece);
    const fromX = Math.max(left, x0);
    const toX = Math.min(right, x0 + width);
    const fromY = Math.max(top, y0);
    const toY = Math.min(bottom, y0 + height);
    const exactX = piece.exactX ?? piece.x;
    const exactY = piece.exactY ?? piece.y;
    // A source pixel (premultiplied; opaque inside the piece, transparent outside) into `px` at `o`.
    const px = new Int32Array(16);
    const fetch = (sx: number, sy: number, o: number) => {
      if (sx < 0 || sy < 0 || sx >= pieceWidth || sy >= pieceHeight) {
        px[o] = px[o + 1] = px[o + 2] = px[o + 3] = 0;
        return;
      }
      const at = ((piece.srcY + sy) * image.width + piece.srcX + sx) * 4;
      px[o] = image.data[at]!;
      px[o + 1] = image.data[at + 1]!;
      px[o + 2] = image.data[at + 2]!;
      px[o + 3] = 255;
    };
    for (let y = fromY; y < toY; y++) {
      // pixman: 16.16 fixed-point source position, 7-bit interpolation weights.
      const v = Math.floor((y - exactY) * 65536);
      const sy = Math.floor(v / 65536);
      const dy = ((v - sy * 65536) >> 9) << 1;
      for (let x = fromX; x < toX; x++) {
        const u = Math.floor((x - exactX) * 65536);
        const sx = Math.floor(u / 65536);
        const dx = ((u - sx * 65536) >> 9) << 1;
        fetch(sx, sy, 0);
        fetch(sx + 1, sy, 4);
        fetch(sx, sy + 1, 8);
        fetch(sx + 1, sy + 1, 12);
        const dxy = dx * dy;
        const wTopRight = (dx << 8) - dxy;
        const wBottomLeft = (dy << 8) - dxy;
        const wTopLeft = 65536 - (dy << 8) - (dx << 8) + dxy;
        const at = ((y - y0) * width + x - x0) * 4;
        const sa = (px[3]! * wTopLeft + px[7]! * wTopRight + px[11]! * wBottomLeft + px[15]! * dxy + 0x8000) >> 16;
        if (sa === 0) continue;
        const da = 255 - acc[at + 3]!;
        if (da === 0) continue;
        // SATURATE: the source scaled down to what the destination leaves uncovered.
        const scale = sa > da ? Math.floor((da * 255 + (sa >> 1)) / sa) : 255;
        for (let c = 0; c < 4; c++) {
          let s = c === 3 ? sa : (px[c]! * wTopLeft + px[4 + c]! * wTopRight + px[8 + c]! * wBottomLeft + px[12 + c]! * dxy + 0x8000) >> 16;
          if (scale !== 255) {
            const t = s * scale + 0x80;
            s = (t + (t >> 8)) >> 8;
          }
          acc[at + c] = acc[at + c]! + s;
        }
      }
    }
  }
  // Un-premultiplied, then on white.
  const out: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  for (let i = 0; i < acc.length; i += 4) {
    const a = acc[i + 3]!;
    for (let c = 0; c < 3; c++) {
      const value = a === 0 ? 0 : Math.floor((acc[i + c]! * 255 + (a >> 1)) / a);
      out.data[i + c] = a === 255 ? acc[i + c]! : Math.round((value * a) / 255 + 255 * (1 - a / 255));
    }
    out.data[i + 3] = 255;
  }
  return out;
}
