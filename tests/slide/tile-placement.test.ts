import { describe, expect, it } from 'vitest';
import { bucketPieces, paintPieces, piecesShared, type PlacedPiece } from '../../src/slide/tile-placement';
import type { RgbaImage } from '../../src/slide/slide-source';

/** What OpenSlide's SATURATE painting gives for whole-pixel pieces: white, then each piece over the ones before it. */
function reference(x0: number, y0: number, width: number, height: number, pieces: PlacedPiece[], tiles: RgbaImage[]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4).fill(255);
  pieces.forEach((piece, p) => {
    const image = tiles[p]!;
    for (let y = 0; y < piece.height; y++) {
      for (let x = 0; x < piece.width; x++) {
        const sx = piece.srcX + x;
        const sy = piece.srcY + y;
        const tx = piece.x + x - x0;
        const ty = piece.y + y - y0;
        if (sx >= image.width || sy >= image.height || tx < 0 || ty < 0 || tx >= width || ty >= height) continue;
        const src = (sy * image.width + sx) * 4;
        const at = (ty * width + tx) * 4;
        out.set(image.data.subarray(src, src + 3), at);
        out[at + 3] = 255;
      }
    }
  });
  return out;
}

describe('paintPieces at whole-pixel positions', () => {
  it('equals white with each piece painted over the ones before it (clipped to the tile and to its decoded tile)', () => {
    let state = 7;
    const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const int = (n: number) => Math.floor(next() * n);
    for (let trial = 0; trial < 200; trial++) {
      const pieces: PlacedPiece[] = [];
      const tiles: RgbaImage[] = [];
      for (let i = 1 + int(5); i > 0; i--) {
        const width = 8 + int(40);
        const height = 8 + int(40);
        const data = new Uint8ClampedArray(width * height * 4).map(() => int(256));
        if (next() < 0.7) for (let k = 3; k < data.length; k += 4) data[k] = 255;
        tiles.push({ width, height, data });
        pieces.push({ column: 0, row: 0, srcX: int(6), srcY: int(6), width: int(width + 8), height: int(height + 8), x: int(60) - 10, y: int(60) - 10 });
      }
      const [x0, y0, width, height] = [int(20), int(20), 10 + int(40), 10 + int(40)];
      const painted = paintPieces(x0, y0, width, height, pieces, tiles);
      expect(painted.width * painted.height).toBe(width * height);
      expect(Buffer.from(painted.data).equals(Buffer.from(reference(x0, y0, width, height, pieces, tiles)))).toBe(true);
    }
  });
});

describe('bucketPieces and piecesShared', () => {
  const piece = (x: number, y: number): PlacedPiece => ({ x, y, width: 256, height: 256, column: 0, row: 0, srcX: 0, srcY: 0 });

  it('puts pieces on the tile grid under one output tile each, and says none is shared', () => {
    const placement = { width: 512, height: 256, pieces: [piece(0, 0), piece(256, 0)] };
    const buckets = bucketPieces(placement, 256, 256);
    expect([...buckets.entries()]).toEqual([
      [0, [0]],
      [1, [1]],
    ]);
    expect(piecesShared(buckets)).toBe(false);
  });

  it('puts an overlapping piece (BIF camera tiles) under every output tile it touches, in order, and says so', () => {
    const placement = { width: 512, height: 512, pieces: [piece(0, 0), piece(200, 100)] };
    const buckets = bucketPieces(placement, 256, 256);
    expect(buckets.get(0)).toEqual([0, 1]);
    expect(buckets.get(1)).toEqual([1]);
    expect(buckets.get(2)).toEqual([1]);
    expect(buckets.get(3)).toEqual([1]);
    expect(piecesShared(buckets)).toBe(true);
  });
});
