/**
 * A level whose pixels are not the page's tile grid as stored, but parts of the page's tiles placed at other
 * positions (Ventana BIF: camera tiles that overlap, placed by the stitching information; Leica SCN: the tiles of
 * several scanned regions, each from its own page, placed by the regions' offsets). Pure: which pieces lie
 * under an output tile, and painting them in order (a later piece covers an earlier one).
 */
import type { RgbaImage } from './slide-source';

/** A rectangle of one stored tile of the page, and where its top-left pixel goes in the level. */
export interface PlacedPiece {
  /** Which of the level's pages holds the tile (Leica SCN's regions; default 0: the level's own page). */
  source?: number;
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

/**
 * Whether a piece lies under more than one output tile (BIF's overlapping camera tiles): then its decoded tile is
 * needed again by a neighbouring output tile and is worth keeping beyond the tile cache.
 */
export function piecesShared(buckets: Map<number, number[]>): boolean {
  const seen = new Set<number>();
  for (const list of buckets.values()) {
    for (const i of list) {
      if (seen.has(i)) return true;
      seen.add(i);
    }
  }
  return false;
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
  // One stored tile exactly under the output tile (Leica SCN regions on the tile grid): it is the output.
  const only = pieces.length === 1 ? pieces[0]! : undefined;
  const image = tiles[0];
  if (only && image && only.exactX === undefined && only.exactY === undefined && only.x === x0 && only.y === y0 && only.srcX === 0 && only.srcY === 0) {
    if (image.width === width && image.height === height && only.width >= width && only.height >= height && opaque(image)) return image;
  }
  if (pieces.every((piece) => piece.exactX === undefined && piece.exactY === undefined)) return paintWholePixelPieces(x0, y0, width, height, pieces, tiles);
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
    if (piece.exactX === undefined && piece.exactY === undefined) {
      paintWholePixelPiece(acc, x0, y0, width, fromX, Math.min(toX, left + pieceWidth), fromY, Math.min(toY, top + pieceHeight), left, top, piece, image);
      continue;
    }
    // pixman: 16.16 fixed-point source positions; the fraction (7-bit weights) is the same for the whole piece.
    const fixedX = Math.floor(-(piece.exactX ?? piece.x) * 65536);
    const fixedY = Math.floor(-(piece.exactY ?? piece.y) * 65536);
    const shiftX = Math.floor(fixedX / 65536);
    const shiftY = Math.floor(fixedY / 65536);
    const dx = ((fixedX - shiftX * 65536) >> 9) << 1;
    const dy = ((fixedY - shiftY * 65536) >> 9) << 1;
    const dxy = dx * dy;
    // Weights of the top-left, top-right, bottom-left and bottom-right neighbours.
    const w0 = 65536 - (dy << 8) - (dx << 8) + dxy;
    const w1 = (dx << 8) - dxy;
    const w2 = (dy << 8) - dxy;
    const w3 = dxy;
    const weights = [w0, w1, w2, w3];
    const data = image.data;
    const stride = image.width * 4;
    for (let y = fromY; y < toY; y++) {
      const sy = y + shiftY;
      for (let x = fromX; x < toX; x++) {
        const at = ((y - y0) * width + x - x0) * 4;
        const da = 255 - acc[at + 3]!;
        if (da === 0) continue; // covered already
        const sx = x + shiftX;
        let red = 0;
        let green = 0;
        let blue = 0;
        let sa = 0x8000;
        if (sx >= 0 && sy >= 0 && sx + 1 < pieceWidth && sy + 1 < pieceHeight) {
          // All four neighbours inside the piece (most pixels): opaque, the weights add up to 65536.
          const s0 = ((piece.srcY + sy) * image.width + piece.srcX + sx) * 4;
          const s2 = s0 + stride;
          red = data[s0]! * w0 + data[s0 + 4]! * w1 + data[s2]! * w2 + data[s2 + 4]! * w3;
          green = data[s0 + 1]! * w0 + data[s0 + 5]! * w1 + data[s2 + 1]! * w2 + data[s2 + 5]! * w3;
          blue = data[s0 + 2]! * w0 + data[s0 + 6]! * w1 + data[s2 + 2]! * w2 + data[s2 + 6]! * w3;
          sa += 255 * 65536;
        } else {
          // The four neighbours (premultiplied: opaque inside the piece, transparent outside).
          for (let n = 0; n < 4; n++) {
            const w = weights[n]!;
            if (w === 0) continue;
            const nx = sx + (n & 1);
            const ny = sy + (n >> 1);
            if (nx < 0 || ny < 0 || nx >= pieceWidth || ny >= pieceHeight) continue;
            const src = ((piece.srcY + ny) * image.width + piece.srcX + nx) * 4;
            red += data[src]! * w;
            green += data[src + 1]! * w;
            blue += data[src + 2]! * w;
            sa += 255 * w;
          }
        }
        sa >>= 16;
        if (sa === 0) continue;
        // SATURATE: the source scaled down to what the destination leaves uncovered.
        const scale = sa > da ? Math.floor((da * 255 + (sa >> 1)) / sa) : 255;
        acc[at] = acc[at]! + saturated((red + 0x8000) >> 16, scale);
        acc[at + 1] = acc[at + 1]! + saturated((green + 0x8000) >> 16, scale);
        acc[at + 2] = acc[at + 2]! + saturated((blue + 0x8000) >> 16, scale);
        acc[at + 3] = acc[at + 3]! + saturated(sa, scale);
      }
    }
  }
  // Un-premultiplied, then on white.
  const out: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  for (let i = 0; i < acc.length; i += 4) {
    const a = acc[i + 3]!;
    if (a === 255 || a === 0) {
      out.data[i] = a === 0 ? 255 : acc[i]!;
      out.data[i + 1] = a === 0 ? 255 : acc[i + 1]!;
      out.data[i + 2] = a === 0 ? 255 : acc[i + 2]!;
      out.data[i + 3] = 255;
      continue;
    }
    for (let c = 0; c < 3; c++) {
      const value = a === 0 ? 0 : Math.floor((acc[i + c]! * 255 + (a >> 1)) / a);
      out.data[i + c] = a === 255 ? acc[i + c]! : Math.round((value * a) / 255 + 255 * (1 - a / 255));
    }
    out.data[i + 3] = 255;
  }
  return out;
}

/**
 * Only whole-pixel pieces (Leica SCN, BIF joints on whole pixels): every piece is opaque and lands on whole pixels,
 * so painting the last piece first and each earlier one where nothing covers the tile yet (SATURATE) is the same as
 * white, then each piece in order over the ones before; rows are copied whole. The general path's result exactly:
 * a covered pixel is its piece's colour with alpha 255, an uncovered one white.
 */
function paintWholePixelPieces(x0: number, y0: number, width: number, height: number, pieces: readonly PlacedPiece[], tiles: readonly RgbaImage[]): RgbaImage {
  const out: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4).fill(255) };
  for (let p = 0; p < pieces.length; p++) {
    const piece = pieces[p]!;
    const image = tiles[p]!;
    const fromX = Math.max(piece.x, x0);
    const toX = Math.min(piece.x + Math.min(piece.width, image.width - piece.srcX), x0 + width);
    const fromY = Math.max(piece.y, y0);
    const toY = Math.min(piece.y + Math.min(piece.height, image.height - piece.srcY), y0 + height);
    if (toX <= fromX || toY <= fromY) continue;
    const rowBytes = (toX - fromX) * 4;
    const sourceOpaque = opaque(image);
    for (let y = fromY; y < toY; y++) {
      const at = ((y - y0) * width + fromX - x0) * 4;
      const src = ((piece.srcY + y - piece.y) * image.width + piece.srcX + fromX - piece.x) * 4;
      out.data.set(image.data.subarray(src, src + rowBytes), at);
      if (!sourceOpaque) for (let i = at + 3; i < at + rowBytes; i += 4) out.data[i] = 255;
    }
  }
  return out;
}

/**
 * A piece at a whole-pixel position (what the general loop in paintPieces computes for it, faster): each pixel inside
 * it is its own source pixel, opaque; copied where nothing covers the tile yet (whole rows at once when the row is
 * free), skipped where something does, scaled down (SATURATE) where a piece between pixels half covers it.
 */
function paintWholePixelPiece(
  acc: Uint8ClampedArray,
  x0: number,
  y0: number,
  width: number,
  fromX: number,
  toX: number,
  fromY: number,
  toY: number,
  left: number,
  top: number,
  piece: PlacedPiece,
  image: RgbaImage,
): void {
  const count = toX - fromX;
  if (count <= 0) return;
  for (let y = fromY; y < toY; y++) {
    const at = ((y - y0) * width + fromX - x0) * 4;
    const src = ((piece.srcY + y - top) * image.width + piece.srcX + fromX - left) * 4;
    let free = true;
    for (let i = 3; i < count * 4; i += 4) {
      if (acc[at + i] !== 0) {
        free = false;
        break;
      }
    }
    if (free) {
      acc.set(image.data.subarray(src, src + count * 4), at);
      for (let i = 3; i < count * 4; i += 4) acc[at + i] = 255;
      continue;
    }
    for (let i = 0; i < count * 4; i += 4) {
      const covered = acc[at + i + 3]!;
      if (covered === 255) continue;
      if (covered === 0) {
        acc[at + i] = image.data[src + i]!;
        acc[at + i + 1] = image.data[src + i + 1]!;
        acc[at + i + 2] = image.data[src + i + 2]!;
        acc[at + i + 3] = 255;
        continue;
      }
      const scale = Math.floor(((255 - covered) * 255 + 127) / 255);
      for (let c = 0; c < 4; c++) {
        const t = (c === 3 ? 255 : image.data[src + i + c]!) * scale + 0x80;
        acc[at + i + c] = acc[at + i + c]! + ((t + (t >> 8)) >> 8);
      }
    }
  }
}

/** Whether every pixel of a decoded tile is opaque; remembered per tile (cached tiles are painted many times). */
const opaqueTiles = new WeakMap<RgbaImage, boolean>();

/** A premultiplied value scaled by scale / 255 as pixman rounds it (255: unchanged). */
function saturated(value: number, scale: number): number {
  if (scale === 255) return value;
  const t = value * scale + 0x80;
  return (t + (t >> 8)) >> 8;
}

function opaque(image: RgbaImage): boolean {
  let known = opaqueTiles.get(image);
  if (known === undefined) {
    known = true;
    for (let i = 3; i < image.data.length; i += 4) {
      if (image.data[i] !== 255) {
        known = false;
        break;
      }
    }
    opaqueTiles.set(image, known);
  }
  return known;
}
