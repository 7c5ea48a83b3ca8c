/**
 * Slides with known tissue for the search tests: stained rectangles on glass. `tissueSlideTiff` writes a real
 * pyramidal Aperio-style TIFF (uncompressed tiles, opened by the app's reader); `memorySlide` is an in-memory
 * SlideSource over the same picture for tiling logic, read through the app's own readRegion.
 */
import { readRegionFromTiles } from '../../../src/slide/region';
import type { RgbaImage, SlideLevel, SlideMetadata, SlideRect, SlideSource } from '../../../src/slide/slide-source';
import { halve, pyramidTiff, type Rgb } from '../../slide/fixtures';

/** Glass and two stains (RGB); the stains' saturation is far above the glass's. */
export const GLASS: [number, number, number] = [242, 240, 244];
const EOSIN: [number, number, number] = [226, 140, 190];
const HEMATOXYLIN: [number, number, number] = [110, 80, 160];

export type TissueArea = SlideRect & { stain?: 'mixed' | 'hematoxylin' | 'eosin' };

/** A picture of glass with stained `tissue` rectangles (mixed stains unless told); a little texture so tiles differ. */
export function tissuePicture(width: number, height: number, tissue: readonly TissueArea[]): Rgb {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const area = tissue.find((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height);
      const noise = ((x * 7 + y * 13) % 11) - 5;
      const stain = area?.stain ?? 'mixed';
      const colour = !area ? GLASS : stain === 'hematoxylin' ? HEMATOXYLIN : stain === 'eosin' ? EOSIN : ((x >> 4) + (y >> 4)) % 3 === 0 ? HEMATOXYLIN : EOSIN;
      data.set(
        colour.map((c) => Math.max(0, Math.min(255, c + noise))),
        (y * width + x) * 3,
      );
    }
  }
  return { width, height, data };
}

function pyramidOf(picture: Rgb, levels: number): Rgb[] {
  const out = [picture];
  while (out.length < levels) out.push(halve(out.at(-1)!));
  return out;
}

function cropRgba(level: Rgb, x0: number, y0: number, width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const from = ((y0 + y) * level.width + x0 + x) * 3;
      data.set([level.data[from]!, level.data[from + 1]!, level.data[from + 2]!, 255], (y * width + x) * 4);
    }
  return { width, height, data };
}

/** An in-memory slide over `picture`: `levels` pyramid levels (2x each), 256 px tiles, `mpp` µm/px at level 0. */
export function memorySlide(
  picture: Rgb,
  { levels = 3, mpp = 0.25, tile = 256, name = 'memory.svs' }: { levels?: number; mpp?: number | null; tile?: number; name?: string } = {},
) {
  const images = pyramidOf(picture, levels);
  const slideLevels: SlideLevel[] = images.map((image) => ({
    width: image.width,
    height: image.height,
    downsample: picture.width / image.width,
    tileWidth: tile,
    tileHeight: tile,
  }));
  const metadata: SlideMetadata = {
    name,
    format: 'aperio-svs',
    vendor: null,
    width: picture.width,
    height: picture.height,
    levels: slideLevels,
    mppX: mpp,
    mppY: mpp,
    objectivePower: mpp === null ? null : 10 / mpp,
    compression: null,
    associatedImages: [],
    properties: {},
  };
  const reads = { tiles: 0, regions: 0 };
  const readTile = async (level: number, column: number, row: number): Promise<RgbaImage> => {
    reads.tiles += 1;
    const image = images[level]!;
    const x = column * tile;
    const y = row * tile;
    return cropRgba(image, x, y, Math.min(tile, image.width - x), Math.min(tile, image.height - y));
  };
  const source: SlideSource & { reads: typeof reads } = {
    metadata,
    reads,
    readTile,
    readRegion: (rect, targetMpp, signal) => {
      reads.regions += 1;
      return readRegionFromTiles(metadata, readTile, rect, targetMpp, signal);
    },
    readAssociatedImage: () => Promise.reject(new Error('no associated images')),
    close: async () => undefined,
  };
  return source;
}

/** The same picture as a pyramidal Aperio TIFF (uncompressed tiles), for the app's real reader. */
export async function tissueSlideTiff(picture: Rgb, levels = 3, mpp = 0.25): Promise<Uint8Array> {
  const description = `Aperio Image Library v12.0.15 \r\n${picture.width}x${picture.height} (256x256) RAW|AppMag = ${Math.round(10 / mpp)}|MPP = ${mpp}`;
  return pyramidTiff(pyramidOf(picture, levels), 256, { compression: 1, photometric: 2, samplesPerPixel: 3, description }, (tileRgb) => tileRgb);
}
