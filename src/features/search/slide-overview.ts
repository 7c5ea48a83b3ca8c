/**
 * A small picture of the whole slide for the tissue mask: the coarsest pyramid level, read tile by tile and
 * box-averaged to at most `maxSide` pixels a side, so memory stays bounded even when a slide has no small level.
 */
import type { RgbaImage, SlideSource } from '../../slide/slide-source';

export interface SlideOverview {
  image: RgbaImage;
  /** Level-0 pixels per overview pixel, along x and y. */
  downsampleX: number;
  downsampleY: number;
}

export const OVERVIEW_MAX_SIDE = 2048;

export async function readSlideOverview(source: SlideSource, maxSide = OVERVIEW_MAX_SIDE, signal?: AbortSignal): Promise<SlideOverview> {
  const { levels, width: slideWidth, height: slideHeight } = source.metadata;
  const levelIndex = levels.length - 1;
  const level = levels[levelIndex]!;
  const shrink = Math.max(1, Math.max(level.width, level.height) / maxSide);
  const width = Math.max(1, Math.round(level.width / shrink));
  const height = Math.max(1, Math.round(level.height / shrink));
  const sums = new Float64Array(width * height * 3);
  const counts = new Uint32Array(width * height);
  const columns = Math.ceil(level.width / level.tileWidth);
  const rows = Math.ceil(level.height / level.tileHeight);
  for (let row = 0; row < rows; row++) {
    // One row of tiles at a time: the reader decodes them in parallel, memory holds a row.
    const tiles = await Promise.all(Array.from({ length: columns }, (_, column) => source.readTile(levelIndex, column, row, signal)));
    tiles.forEach((tile, column) => {
      const x0 = column * level.tileWidth;
      const y0 = row * level.tileHeight;
      for (let y = 0; y < tile.height; y++) {
        const oy = Math.min(height - 1, Math.floor(((y0 + y) * height) / level.height));
        for (let x = 0; x < tile.width; x++) {
          const ox = Math.min(width - 1, Math.floor(((x0 + x) * width) / level.width));
          const from = (y * tile.width + x) * 4;
          const to = oy * width + ox;
          for (let channel = 0; channel < 3; channel++) sums[to * 3 + channel] = sums[to * 3 + channel]! + tile.data[from + channel]!;
          counts[to] = counts[to]! + 1;
        }
      }
    });
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]! || 1;
    data[i * 4] = counts[i] ? sums[i * 3]! / n : 255;
    data[i * 4 + 1] = counts[i] ? sums[i * 3 + 1]! / n : 255;
    data[i * 4 + 2] = counts[i] ? sums[i * 3 + 2]! / n : 255;
    data[i * 4 + 3] = 255;
  }
  return { image: { width, height, data }, downsampleX: slideWidth / width, downsampleY: slideHeight / height };
}
