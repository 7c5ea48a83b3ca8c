/**
 * readRegion for any tiled reader: choose the level, read the tiles under the rectangle, paste them into one
 * buffer and resample it to the wanted microns per pixel. Area outside the slide comes back white (glass).
 */
import { chooseLevel } from './level-choice';
import { resampleRgba } from './resample';
import { SlideError, type ReadRegionResult, type RgbaImage, type SlideMetadata, type SlideRect } from './slide-source';

/** Largest region we return or assemble: 64 Mpx (256 MB of RGBA). */
export const MAX_REGION_PIXELS = 64 * 1024 * 1024;

export type TileReader = (level: number, column: number, row: number, signal?: AbortSignal) => Promise<RgbaImage>;

export async function readRegionFromTiles(
  metadata: SlideMetadata,
  readTile: TileReader,
  rect: SlideRect,
  targetMpp: number | null,
  signal?: AbortSignal,
): Promise<ReadRegionResult> {
  if (![rect.x, rect.y, rect.width, rect.height].every(Number.isFinite) || rect.width <= 0 || rect.height <= 0) {
    throw new SlideError('The region to read has no area; draw a region with a width and a height.');
  }
  const mpp = metadata.mppX;
  if (targetMpp !== null && !(targetMpp > 0)) throw new SlideError(`${targetMpp} µm per pixel is not a resolution a region can be read at.`);
  if (targetMpp !== null && mpp === null) {
    throw new SlideError(
      `${metadata.name} does not say its scale (microns per pixel), so a region cannot be read at ${targetMpp} µm/px; read it at full resolution instead.`,
    );
  }
  const wanted = targetMpp === null || mpp === null ? 1 : targetMpp / mpp;
  const outWidth = Math.max(1, Math.round(rect.width / wanted));
  const outHeight = Math.max(1, Math.round(rect.height / wanted));
  if (outWidth * outHeight > MAX_REGION_PIXELS) {
    throw new SlideError(`A region of ${outWidth} x ${outHeight} pixels is too large to read at once; choose a smaller region or a lower magnification.`);
  }
  const levelIndex = chooseLevel(metadata.levels, wanted);
  const level = metadata.levels[levelIndex]!;
  const ds = level.downsample;
  // The rectangle in this level's pixels (fractional), and the whole pixels that cover it.
  const lx = rect.x / ds;
  const ly = rect.y / ds;
  const lw = rect.width / ds;
  const lh = rect.height / ds;
  const x0 = Math.floor(lx);
  const y0 = Math.floor(ly);
  const x1 = Math.ceil(lx + lw);
  const y1 = Math.ceil(ly + lh);
  const bufWidth = x1 - x0;
  const bufHeight = y1 - y0;
  if (bufWidth * bufHeight > MAX_REGION_PIXELS) {
    throw new SlideError(`Reading this region needs ${bufWidth} x ${bufHeight} pixels from the slide; choose a smaller region or a lower magnification.`);
  }
  const buffer: RgbaImage = { width: bufWidth, height: bufHeight, data: new Uint8ClampedArray(bufWidth * bufHeight * 4).fill(255) };
  const firstCol = Math.max(0, Math.floor(x0 / level.tileWidth));
  const lastCol = Math.min(Math.ceil(level.width / level.tileWidth) - 1, Math.floor((x1 - 1) / level.tileWidth));
  const firstRow = Math.max(0, Math.floor(y0 / level.tileHeight));
  const lastRow = Math.min(Math.ceil(level.height / level.tileHeight) - 1, Math.floor((y1 - 1) / level.tileHeight));
  const jobs: Promise<void>[] = [];
  for (let row = firstRow; row <= lastRow; row++) {
    for (let col = firstCol; col <= lastCol; col++) {
      jobs.push(readTile(levelIndex, col, row, signal).then((tile) => pasteTile(buffer, tile, col * level.tileWidth - x0, row * level.tileHeight - y0)));
    }
  }
  await Promise.all(jobs);
  const scale = wanted / ds;
  const pixels =
    lx === x0 && ly === y0 && scale === 1 && bufWidth === outWidth && bufHeight === outHeight
      ? buffer
      : resampleRgba(buffer, lx - x0, ly - y0, lw / outWidth, lh / outHeight, outWidth, outHeight);
  return {
    ...pixels,
    mpp: mpp === null ? null : (targetMpp ?? mpp),
    level: levelIndex,
    downsample: ds,
  };
}

/** Copies `tile` into `target` with its top-left at (dx, dy), clipped to the target. */
export function pasteTile(target: RgbaImage, tile: RgbaImage, dx: number, dy: number): void {
  const sx = Math.max(0, -dx);
  const sy = Math.max(0, -dy);
  const w = Math.min(tile.width - sx, target.width - (dx + sx));
  const h = Math.min(tile.height - sy, target.height - (dy + sy));
  if (w <= 0 || h <= 0) return;
  for (let r = 0; r < h; r++) {
    const from = ((sy + r) * tile.width + sx) * 4;
    target.data.set(tile.data.subarray(from, from + w * 4), ((dy + sy + r) * target.width + dx + sx) * 4);
  }
}

/** A decoded block cut to the part inside the image (edge tiles), or padded with white when a decoder gave less. */
export function cropTile(image: RgbaImage, width: number, height: number): RgbaImage {
  if (image.width === width && image.height === height) return image;
  if (image.width < width || image.height < height) {
    // A decoder gave less than the block (damaged JPEG): pad with white rather than read past the data.
    const padded: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4).fill(255) };
    pasteTile(padded, image, 0, 0);
    return padded;
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let r = 0; r < height; r++) out.set(image.data.subarray(r * image.width * 4, (r * image.width + width) * 4), r * width * 4);
  return { width, height, data: out };
}
