/**
 * 3DHistech MIRAX (.mrxs): a slide stored as a folder (Slidedat.ini, Index.dat, Data0000.dat ...) next to an
 * almost empty `NAME.mrxs`. Opened from the folder's files (a folder pick, several files, or in Node the .mrxs
 * path): slidedat.ts reads the key file, mirax-index.ts the index and where each camera image part goes. Tiles are
 * PathoLens's own 256-px grid over each level, painted from the parts under them in OpenSlide's order (the
 * decoded camera images are cached, so the parts of one image decode it once); what no part covers is the
 * slide's fill colour (IMAGE_FILL_COLOR_BGR), where OpenSlide leaves it transparent. JPEG images go through the
 * same decoders as TIFF tiles (the worker pool in browsers), PNG through the image decoder.
 */
import type { ByteSource } from '../byte-source';
import { jpegDimensions } from '../jpeg-stream';
import { cropTile, readRegionFromTiles } from '../region';
import {
  SlideError,
  type AssociatedImageName,
  type ReadRegionResult,
  type RgbaImage,
  type SlideMetadata,
  type SlideRect,
  type SlideSource,
} from '../slide-source';
import type { TileDecodeFn } from '../tiff-slide';
import { DEFAULT_TILE_CACHE_BYTES, TileCache } from '../tile-cache';
import { standaloneJpegCodec } from '../tile-codec';
import type { ImageDecodeFn } from '../url-tiled-slide';
import { parseIndex, parsePositions, planLevels, type IndexRecord, type LevelPlan, type PlacedPart } from './mirax-index';
import { MAX_SLIDEDAT_BYTES, parseSlidedat, type Slidedat } from './slidedat';

export interface MiraxOptions {
  decode: TileDecodeFn;
  decodeImage: ImageDecodeFn;
  /** The decoder reads Blob ranges itself (worker pool), so image bytes never pass through the page. */
  decodeReadsBlobs?: boolean;
  tileCacheBytes?: number;
  signal?: AbortSignal;
}

const TILE = 256;
/**
 * Decoded camera images kept at least (whatever tileCacheBytes says): an image is the unit of decoding and serves
 * up to 9 of PathoLens's tiles and several parts, so without it a row of tiles would decode each image again.
 * OpenSlide keeps decoded MIRAX images in its 32 MiB cache for the same reason.
 */
const MIN_IMAGE_CACHE_BYTES = 32 * 1024 * 1024;
/** Index.dat is read whole (16 bytes per camera image): refuse one larger than any slide's. */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;
const MAX_POSITION_BYTES = 64 * 1024 * 1024;
/** Associated images (macro, label, thumbnail) are small photographs. */
const MAX_ASSOCIATED_PIXELS = 64 * 1024 * 1024;

const JPEG_CODEC = standaloneJpegCodec('mrxs');

/** True when the files look like an MRXS slide's folder (they hold a Slidedat.ini). */
export function isMiraxFileSet(sources: readonly ByteSource[]): boolean {
  return sources.some((source) => source.name.toLowerCase() === 'slidedat.ini');
}

/** A lone `.mrxs` holds no pixels: say where they are. */
export function lonelyMrxsError(name: string): SlideError {
  const folder = name.replace(/\.mrxs$/i, '');
  return new SlideError(
    `${name} is a 3DHistech MRXS slide, whose pixels are in the folder "${folder}" next to it: open that folder with "Open folder" (or choose all the files inside it).`,
  );
}

async function readAll(source: ByteSource, limit: number, what: string, slide: string, signal?: AbortSignal): Promise<Uint8Array> {
  if (source.size > limit) throw new SlideError(`${slide} is a 3DHistech MRXS slide whose ${what} is larger than PathoLens reads (${source.size} bytes).`);
  const bytes = await source.read(0, source.size, signal);
  if (bytes.length < source.size) throw new SlideError(`${slide} is a 3DHistech MRXS slide whose ${what} could not be read whole.`);
  return bytes;
}

/** zlib data inflated to exactly `expected` bytes (never more: a damaged stream cannot make us allocate). */
async function inflateExactly(data: Uint8Array, expected: number): Promise<Uint8Array | null> {
  const stream = new Blob([data.slice()]).stream().pipeThrough(new DecompressionStream('deflate'));
  const reader = stream.getReader();
  const out = new Uint8Array(expected);
  let at = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > expected) {
        await reader.cancel().catch(() => {});
        return null;
      }
      out.set(value, at);
      at += value.length;
    }
  } catch {
    return null;
  }
  return at === expected ? out : null;
}

export class MiraxSlideSource implements SlideSource {
  private readonly images: TileCache;
  /** Per level: output tile index -> the parts under it, in painting order. */
  private readonly buckets: Map<number, PlacedPart[]>[];
  private closed = false;

  private constructor(
    readonly metadata: SlideMetadata,
    private readonly slidedat: Slidedat,
    private readonly plans: LevelPlan[],
    private readonly dataFiles: ByteSource[],
    private readonly associated: Partial<Record<AssociatedImageName, IndexRecord>>,
    private readonly allSources: ByteSource[],
    private readonly options: MiraxOptions,
  ) {
    this.images = new TileCache(Math.max(options.tileCacheBytes ?? DEFAULT_TILE_CACHE_BYTES, MIN_IMAGE_CACHE_BYTES));
    this.buckets = plans.map((plan) => {
      const columns = Math.ceil(plan.width / TILE);
      const rows = Math.ceil(plan.height / TILE);
      const map = new Map<number, PlacedPart[]>();
      for (const part of plan.parts) {
        const c0 = Math.max(0, Math.floor(part.x / TILE));
        const c1 = Math.min(columns - 1, Math.floor((part.x + part.width - 1) / TILE));
        const r0 = Math.max(0, Math.floor(part.y / TILE));
        const r1 = Math.min(rows - 1, Math.floor((part.y + part.height - 1) / TILE));
        for (let r = r0; r <= r1; r++)
          for (let c = c0; c <= c1; c++) {
            const key = r * columns + c;
            const list = map.get(key);
            if (list) list.push(part);
            else map.set(key, [part]);
          }
      }
      return map;
    });
  }

  /** Opens the slide the files hold; `name` is what the user calls it (the .mrxs or the folder). */
  static async open(name: string, sources: ByteSource[], options: MiraxOptions): Promise<MiraxSlideSource> {
    const { signal } = options;
    const byName = new Map<string, ByteSource>();
    for (const source of sources) byName.set(source.name.toLowerCase(), source);
    const slidedats = sources.filter((source) => source.name.toLowerCase() === 'slidedat.ini');
    if (slidedats.length !== 1) {
      throw new SlideError(`${name} holds ${slidedats.length} MRXS slides (Slidedat.ini files); open the folder of one slide.`);
    }
    const text = new TextDecoder('utf-8').decode(await readAll(slidedats[0]!, MAX_SLIDEDAT_BYTES, 'Slidedat.ini', name, signal));
    const slidedat = parseSlidedat(name, text);
    const find = (file: string, role: string) => {
      const found = byName.get(file.toLowerCase());
      if (!found) {
        throw new SlideError(
          `${name} is a 3DHistech MRXS slide whose ${role} ${file} (named in Slidedat.ini) is missing; open the slide's whole folder (Slidedat.ini, Index.dat and every Data file).`,
        );
      }
      return found;
    };
    const indexSource = find(slidedat.indexFile, 'index file');
    const dataFiles = slidedat.dataFiles.map((file) => find(file, 'data file'));
    const index = parseIndex(name, await readAll(indexSource, MAX_INDEX_BYTES, 'Index.dat', name, signal), slidedat);
    const level0 = slidedat.levels[0]!;
    const positionCount = Math.floor(slidedat.imagesX / slidedat.divisions) * Math.floor(slidedat.imagesY / slidedat.divisions);
    let positions: Float64Array | null = null;
    if (slidedat.positions) {
      const record = index.nonhier(slidedat.positions.record);
      const raw = await readRecord(name, dataFiles, slidedat, record, MAX_POSITION_BYTES, 'stage positions', signal);
      const expected = positionCount * 9;
      const bytes = slidedat.positions.compressed ? (expected <= MAX_POSITION_BYTES ? await inflateExactly(raw, expected) : null) : raw;
      if (!bytes) {
        throw new SlideError(
          `${name} is a 3DHistech MRXS slide whose stage positions (StitchingIntensityLayer) do not inflate to its ${positionCount} camera positions; the slide's folder is damaged.`,
        );
      }
      positions = parsePositions(name, bytes, positionCount, 2 ** level0.concatExponent);
    }
    const plans = planLevels(name, slidedat, index, positions);
    if (plans.length === 0 || plans[0]!.parts.length === 0) throw new SlideError(`${name} is a 3DHistech MRXS slide with no camera image at full resolution.`);
    const associated: Partial<Record<AssociatedImageName, IndexRecord>> = {};
    for (const which of ['label', 'macro', 'thumbnail'] as const) {
      const record = slidedat.associated[which];
      if (record === null) continue;
      try {
        associated[which] = index.nonhier(record);
      } catch {
        // A damaged associated image is left out; the slide itself still opens (as in the other readers).
      }
    }
    const metadata: SlideMetadata = {
      name,
      format: 'mirax',
      vendor: '3DHistech',
      width: plans[0]!.width,
      height: plans[0]!.height,
      levels: plans.map((plan) => ({ width: plan.width, height: plan.height, downsample: plan.downsample, tileWidth: TILE, tileHeight: TILE })),
      mppX: level0.mppX > 0 ? level0.mppX : null,
      mppY: level0.mppY > 0 ? level0.mppY : null,
      objectivePower: slidedat.objectivePower,
      compression: level0.format === 'BMP24' ? 'BMP' : level0.format,
      associatedImages: (['label', 'macro', 'thumbnail'] as const).filter((which) => associated[which]),
      properties: slidedat.properties,
    };
    const slide = new MiraxSlideSource(metadata, slidedat, plans, dataFiles, associated, sources, options);
    await slide.readTile(plans.length - 1, 0, 0, signal);
    return slide;
  }

  readTile(level: number, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage> {
    if (this.closed) return Promise.reject(new SlideError(`${this.metadata.name} has been closed.`));
    const plan = this.plans[level];
    if (!plan) return Promise.reject(new SlideError(`Level ${level} does not exist in ${this.metadata.name}.`));
    const columns = Math.ceil(plan.width / TILE);
    if (!(Number.isInteger(column) && Number.isInteger(row) && column >= 0 && row >= 0 && column < columns && row * TILE < plan.height)) {
      return Promise.reject(new SlideError(`Tile (${column}, ${row}) is outside level ${level} of ${this.metadata.name}.`));
    }
    return this.paintTile(level, plan, column, row, signal);
  }

  /** The tile filled with the fill colour, then every part under it in OpenSlide's order (the last one on top). */
  private async paintTile(level: number, plan: LevelPlan, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage> {
    const width = Math.min(TILE, plan.width - column * TILE);
    const height = Math.min(TILE, plan.height - row * TILE);
    const parts = this.buckets[level]!.get(row * Math.ceil(plan.width / TILE) + column) ?? [];
    const decoded = await Promise.all(parts.map((part) => this.image(level, plan, part, signal)));
    const tile: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
    const [r, g, b] = this.slidedat.levels[level]!.fill;
    // The fill colour as one 32-bit pixel in this platform's byte order, written a pixel at a time.
    const pixel = new Uint32Array(new Uint8ClampedArray([r, g, b, 255]).buffer)[0]!;
    new Uint32Array(tile.data.buffer).fill(pixel);
    const x0 = column * TILE;
    const y0 = row * TILE;
    parts.forEach((part, i) => {
      const image = decoded[i]!;
      // The part's rectangle in the image, clipped to the image and to the tile.
      const fromX = Math.max(part.x, x0);
      const toX = Math.min(part.x + Math.min(part.width, image.width - part.srcX), x0 + width);
      const fromY = Math.max(part.y, y0);
      const toY = Math.min(part.y + Math.min(part.height, image.height - part.srcY), y0 + height);
      if (toX <= fromX) return;
      for (let y = fromY; y < toY; y++) {
        const src = ((part.srcY + y - part.y) * image.width + part.srcX + fromX - part.x) * 4;
        tile.data.set(image.data.subarray(src, src + (toX - fromX) * 4), ((y - y0) * width + fromX - x0) * 4);
      }
    });
    return tile;
  }

  /** A camera image decoded (cached: the parts of one image, and neighbouring tiles, share it). */
  private image(level: number, plan: LevelPlan, part: PlacedPart, signal?: AbortSignal): Promise<RgbaImage> {
    const { image } = part;
    return this.images.get(`${image.key}`, async () => {
      const source = this.dataFiles[image.file]!;
      const format = this.slidedat.levels[level]!.format;
      if (image.offset + image.length > source.size) {
        throw new SlideError(
          `${this.metadata.name} is a 3DHistech MRXS slide whose ${source.name} is truncated: a camera image of zoom level ${level} lies past its end.`,
        );
      }
      const what = `a camera image of zoom level ${level} (${source.name})`;
      try {
        if (format === 'JPEG') {
          const request =
            this.options.decodeReadsBlobs && source.blob
              ? { file: { blob: source.blob, ranges: [{ offset: image.offset, length: image.length }] } }
              : { planes: [await source.read(image.offset, image.length, signal)] };
          const decoded = await this.options.decode({ codec: JPEG_CODEC, width: plan.imageWidth, height: plan.imageHeight, ...request }, signal);
          return cropTile(decoded, plan.imageWidth, plan.imageHeight);
        }
        if (format === 'PNG') {
          const bytes = await source.read(image.offset, image.length, signal);
          const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          if (bytes.length < 24 || view.getUint32(16) > plan.imageWidth || view.getUint32(20) > plan.imageHeight)
            throw new Error('its PNG header does not match the level');
          return cropTile(await this.options.decodeImage(bytes, signal), plan.imageWidth, plan.imageHeight);
        }
        throw new SlideError(
          `${this.metadata.name} is a 3DHistech MRXS slide whose zoom level ${level} stores its images as BMP, which PathoLens cannot decode; it reads JPEG and PNG images.`,
        );
      } catch (error) {
        if (error instanceof SlideError || signal?.aborted) throw error;
        throw new SlideError(
          `${this.metadata.name} is a 3DHistech MRXS slide whose ${what} could not be decoded (${(error as Error).message ?? error}); the file is damaged.`,
        );
      }
    });
  }

  readRegion(rect: SlideRect, targetMpp: number | null, signal?: AbortSignal): Promise<ReadRegionResult> {
    return readRegionFromTiles(this.metadata, (l, c, r, s) => this.readTile(l, c, r, s), rect, targetMpp, signal);
  }

  async readAssociatedImage(which: AssociatedImageName, signal?: AbortSignal): Promise<RgbaImage> {
    const record = this.associated[which];
    if (!record) throw new SlideError(`${this.metadata.name} has no ${which} image.`);
    const bytes = await readRecord(this.metadata.name, this.dataFiles, this.slidedat, record, 64 * 1024 * 1024, `${which} image`, signal);
    const size = jpegDimensions(bytes);
    if (!size || size.width * size.height > MAX_ASSOCIATED_PIXELS) {
      throw new SlideError(`${this.metadata.name} is a 3DHistech MRXS slide whose ${which} image is not a JPEG PathoLens can read.`);
    }
    try {
      return await this.options.decodeImage(bytes, signal);
    } catch (error) {
      if (error instanceof SlideError || signal?.aborted) throw error;
      throw new SlideError(`${this.metadata.name} is a 3DHistech MRXS slide whose ${which} image could not be decoded; the file is damaged.`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.images.clear();
    await Promise.all(this.allSources.map((source) => source.close().catch(() => {})));
  }
}

async function readRecord(
  name: string,
  dataFiles: ByteSource[],
  slidedat: Slidedat,
  record: IndexRecord,
  limit: number,
  what: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const source = dataFiles[record.file]!;
  if (record.length > limit) throw new SlideError(`${name} is a 3DHistech MRXS slide whose ${what} claims ${record.length} bytes, more than PathoLens reads.`);
  if (record.offset + record.length > source.size) {
    throw new SlideError(`${name} is a 3DHistech MRXS slide whose ${slidedat.dataFiles[record.file]} is truncated: the ${what} lies past its end.`);
  }
  return source.read(record.offset, record.length, signal);
}

/** Opens an MRXS slide from its folder's files (closing them all if it cannot). */
export async function openMiraxFiles(name: string, sources: ByteSource[], options: MiraxOptions): Promise<MiraxSlideSource> {
  try {
    return await MiraxSlideSource.open(name, sources, options);
  } catch (error) {
    await Promise.all(sources.map((source) => source.close().catch(() => {})));
    throw error;
  }
}
