/**
 * A region read at the chosen magnification is usually larger than PathoCLIP's input (224 px): rather than
 * shrinking it (losing the cells the model was trained on), it is cut into input-sized tiles that are embedded
 * and mean-pooled. Pure: RGBA in, RGBA tiles out.
 */
import type { RgbaImage } from '../../slide/slide-source';

/** Tiles to embed per region at most; a larger region is read at a lower magnification (see planClassifyRead). */
export const MAX_REGION_TILES = 64;

/** Copies the `width` x `height` rectangle at (`left`, `top`) out of `image`. */
export function cropRgba(image: RgbaImage, left: number, top: number, width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    const start = ((top + row) * image.width + left) * 4;
    data.set(image.data.subarray(start, start + width * 4), row * width * 4);
  }
  return { width, height, data };
}

/**
 * Input-sized tiles covering `image` on an even grid (the last row and column are shifted inward, so every tile
 * is whole and the edges are covered). An image smaller than one tile is returned whole (the model's processor
 * resizes it).
 */
export function regionTiles(image: RgbaImage, tileSize: number): RgbaImage[] {
  if (image.width <= tileSize || image.height <= tileSize) return [image];
  const starts = (length: number) => {
    const count = Math.ceil(length / tileSize);
    return Array.from({ length: count }, (_, index) => Math.min(index * tileSize, length - tileSize));
  };
  return starts(image.height).flatMap((top) => starts(image.width).map((left) => cropRgba(image, left, top, tileSize, tileSize)));
}
