/**
 * A plain JPEG/PNG as a slide: decoded once, served as 512-pixel tiles, with smaller levels made on demand by
 * area averaging so a large photo zooms out smoothly. No scale is known (MPP null).
 */
import { readRegionFromTiles, MAX_REGION_PIXELS, pasteTile } from './region';
import { resampleRgba } from './resample';
import { SlideError, type ReadRegionResult, type RgbaImage, type SlideLevel, type SlideMetadata, type SlideRect, type SlideSource } from './slide-source';

const TILE = 512;

export class ImageSlideSource implements SlideSource {
  readonly metadata: SlideMetadata;
  private readonly levelImages = new Map<number, RgbaImage>();

  constructor(name: string, image: RgbaImage, mimeType: string) {
    if (image.width * image.height > MAX_REGION_PIXELS)
      throw new SlideError(`${name} is too large (${image.width} x ${image.height}) to open as a plain image.`);
    const levels: SlideLevel[] = [];
    for (let ds = 1; ; ds *= 2) {
      const width = Math.max(1, Math.ceil(image.width / ds));
      const height = Math.max(1, Math.ceil(image.height / ds));
      levels.push({ width, height, downsample: image.width / width, tileWidth: TILE, tileHeight: TILE });
      if (width <= TILE && height <= TILE) break;
    }
    this.levelImages.set(0, image);
    this.metadata = {
      name,
      format: 'image',
      vendor: null,
      width: image.width,
      height: image.height,
      levels,
      mppX: null,
      mppY: null,
      objectivePower: null,
      compression: mimeType === 'image/png' ? 'PNG' : 'JPEG',
      associatedImages: [],
      properties: { 'image.type': mimeType },
    };
  }

  private levelImage(level: number): RgbaImage {
    let image = this.levelImages.get(level);
    if (!image) {
      const base = this.levelImages.get(0)!;
      const { width, height } = this.metadata.levels[level]!;
      image = resampleRgba(base, 0, 0, base.width / width, base.height / height, width, height);
      this.levelImages.set(level, image);
    }
    return image;
  }

  async readTile(level: number, column: number, row: number): Promise<RgbaImage> {
    const info = this.metadata.levels[level];
    if (!info || column < 0 || row < 0 || column * TILE >= info.width || row * TILE >= info.height) {
      throw new SlideError(`Tile (${column}, ${row}) of level ${level} is outside ${this.metadata.name}.`);
    }
    const image = this.levelImage(level);
    const width = Math.min(TILE, info.width - column * TILE);
    const height = Math.min(TILE, info.height - row * TILE);
    const tile: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
    pasteTile(tile, image, -column * TILE, -row * TILE);
    return tile;
  }

  readRegion(rect: SlideRect, targetMpp: number | null, signal?: AbortSignal): Promise<ReadRegionResult> {
    return readRegionFromTiles(this.metadata, (l, c, r) => this.readTile(l, c, r), rect, targetMpp, signal);
  }

  async readAssociatedImage(): Promise<RgbaImage> {
    throw new SlideError(`${this.metadata.name} is a plain image and has no label, macro or thumbnail.`);
  }

  async close(): Promise<void> {
    this.levelImages.clear();
  }
}
