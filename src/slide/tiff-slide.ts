/**
 * SlideSource for TIFF-based slides. Loads the pages, lets the format registry (formats/) say which pages are
 * the pyramid and the label/macro/thumbnail and what the vendor metadata is, and reads tiles through a
 * TileDecodeFn (the browser's worker pool, or in-process decoding in Node).
 */
import type { ByteSource } from './byte-source';
import { detectTiffFormat, type FormatMetadata, type TiffLayout, type TiffPages } from './formats';
import { readRegionFromTiles, MAX_REGION_PIXELS, pasteTile } from './region';
import {
  SlideError,
  type AssociatedImageName,
  type ReadRegionResult,
  type RgbaImage,
  type SlideLevel,
  type SlideMetadata,
  type SlideRect,
  type SlideSource,
} from './slide-source';
import { TileCache, type TileCacheStats } from './tile-cache';
import { compressionName, describeCompression, SUPPORTED_COMPRESSIONS, type TileRequest } from './tile-codec';
import { loadBlockIndex, loadPage, type BlockIndex, type TiffPage } from './tiff-pages';
import { mppFromTiffResolution } from './tiff-resolution';
import { parseTiff, tagText, type TiffFile } from './tiff-structure';

export type TileDecodeFn = (request: TileRequest, signal?: AbortSignal) => Promise<RgbaImage>;

export interface TiffSlideOptions {
  decode: TileDecodeFn;
  /** The decoder reads `file` requests (Blob ranges) itself, e.g. in a worker. */
  decodeReadsBlobs?: boolean;
  tileCacheBytes?: number;
  signal?: AbortSignal;
}

export class TiffSlideSource implements SlideSource {
  private readonly cache: TileCache;
  private closed = false;

  private constructor(
    readonly metadata: SlideMetadata,
    private readonly file: TiffFile,
    private readonly levelPages: TiffPage[],
    private readonly blockIndexes: BlockIndex[],
    private readonly associatedPages: Partial<Record<AssociatedImageName, TiffPage>>,
    private readonly decode: TileDecodeFn,
    tileCacheBytes: number | undefined,
    private readonly decodeReadsBlobs: boolean,
  ) {
    this.cache = new TileCache(tileCacheBytes);
  }

  static async open(source: ByteSource, options: TiffSlideOptions): Promise<TiffSlideSource> {
    const { signal } = options;
    const file = await parseTiff(source, signal);
    const pages = await loadPages(file, signal);
    const format = detectTiffFormat(pages);
    const layout = format.layout(pages);
    const unsupported = layout.levels.find((page) => !SUPPORTED_COMPRESSIONS.has(page.codec.compression));
    if (unsupported) {
      throw new SlideError(
        `${source.name} uses ${describeCompression(unsupported.codec.compression)}, which PathoLens cannot decode. Convert the slide to JPEG or JPEG 2000 tiles (e.g. with vips or bfconvert).`,
      );
    }
    const blockIndexes = await Promise.all(layout.levels.map((page) => loadBlockIndex(file, page, signal)));
    const metadata = buildMetadata(source.name, format.format, layout, await format.metadata(pages, layout));
    const slide = new TiffSlideSource(metadata, file, layout.levels, blockIndexes, layout.associated, options.decode, options.tileCacheBytes, options.decodeReadsBlobs ?? false);
    // Decode one tile now, so a slide whose pixels cannot be decoded fails when opened, with a sentence,
    // not later as blank tiles.
    const last = metadata.levels.length - 1;
    await slide.readTile(last, 0, 0, signal);
    return slide;
  }

  async readTile(level: number, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage> {
    if (this.closed) throw new SlideError(`${this.metadata.name} has been closed.`);
    const page = this.levelPages[level];
    if (!page) throw new SlideError(`Level ${level} does not exist in ${this.metadata.name} (it has ${this.levelPages.length}).`);
    if (!(column >= 0 && column < page.columns && row >= 0 && row < page.rows) || !Number.isInteger(column) || !Number.isInteger(row)) {
      throw new SlideError(`Tile (${column}, ${row}) is outside level ${level} of ${this.metadata.name}.`);
    }
    return this.cache.get(`${level}/${column}/${row}`, () => this.decodeBlock(page, this.blockIndexes[level]!, column, row, signal));
  }

  private async decodeBlock(page: TiffPage, index: BlockIndex, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage> {
    const planes = page.codec.planar === 2 ? page.codec.samplesPerPixel : 1;
    const perPlane = page.columns * page.rows;
    const blockIndex = row * page.columns + column;
    // Strips: the last one holds only the remaining rows.
    const storedHeight = page.tiled ? page.blockHeight : Math.min(page.blockHeight, page.height - row * page.blockHeight);
    const visibleWidth = Math.min(page.blockWidth, page.width - column * page.blockWidth);
    const visibleHeight = Math.min(page.blockHeight, page.height - row * page.blockHeight);
    const ranges: { offset: number; length: number }[] = [];
    for (let p = 0; p < planes; p++) {
      const i = p * perPlane + blockIndex;
      const count = index.byteCounts[i] ?? 0;
      if (count === 0) {
        // A block the scanner never wrote (outside the scanned area): white glass.
        return { width: visibleWidth, height: visibleHeight, data: new Uint8ClampedArray(visibleWidth * visibleHeight * 4).fill(255) };
      }
      ranges.push({ offset: index.offsets[i]!, length: count });
    }
    const base = { codec: page.codec, width: page.blockWidth, height: storedHeight };
    // A local file: the decode worker reads the bytes itself. Otherwise (HTTP, Node) we read them here.
    const blob = this.file.source.blob;
    let request: TileRequest;
    if (blob && this.decodeReadsBlobs) {
      request = { ...base, file: { blob, ranges } };
    } else {
      const bytes: Uint8Array[] = [];
      for (const { offset, length } of ranges) {
        const data = await this.file.source.read(offset, length, signal);
        if (data.length < length) throw new SlideError(`${this.metadata.name} is truncated: a tile lies past the end of the file.`);
        bytes.push(data);
      }
      request = { ...base, planes: bytes };
    }
    let decoded: RgbaImage;
    try {
      decoded = await this.decode(request, signal);
    } catch (error) {
      if (error instanceof SlideError || signal?.aborted) throw error;
      const message = (error as Error).message ?? String(error);
      if (/dynamically imported module|Importing a module script failed|no JPEG 2000 decoder/.test(message)) {
        // Our own code failed to load (e.g. the app was updated while this page was open), not the file.
        throw new SlideError(`PathoLens could not load its ${compressionName(page.codec.compression)} decoder (${message}); reload the page and open the slide again.`);
      }
      throw new SlideError(
        `A ${compressionName(page.codec.compression)} tile of ${this.metadata.name} could not be decoded (${(error as Error).message ?? error}); the file is damaged.`,
      );
    }
    return crop(decoded, visibleWidth, visibleHeight);
  }

  readRegion(rect: SlideRect, targetMpp: number | null, signal?: AbortSignal): Promise<ReadRegionResult> {
    return readRegionFromTiles(this.metadata, (l, c, r, s) => this.readTile(l, c, r, s), rect, targetMpp, signal);
  }

  async readAssociatedImage(name: AssociatedImageName, signal?: AbortSignal): Promise<RgbaImage> {
    const page = this.associatedPages[name];
    if (!page) throw new SlideError(`${this.metadata.name} has no ${name} image.`);
    if (page.width * page.height > MAX_REGION_PIXELS) throw new SlideError(`The ${name} image of ${this.metadata.name} is too large to show.`);
    if (!SUPPORTED_COMPRESSIONS.has(page.codec.compression)) {
      throw new SlideError(`The ${name} image of ${this.metadata.name} uses ${describeCompression(page.codec.compression)}, which PathoLens cannot decode.`);
    }
    const index = await loadBlockIndex(this.file, page, signal);
    const out: RgbaImage = { width: page.width, height: page.height, data: new Uint8ClampedArray(page.width * page.height * 4) };
    for (let row = 0; row < page.rows; row++) {
      for (let col = 0; col < page.columns; col++) {
        const block = await this.decodeBlock(page, index, col, row, signal);
        pasteTile(out, block, col * page.blockWidth, row * page.blockHeight);
      }
    }
    return out;
  }

  /** Decoded-tile cache figures (for the benchmark and the settings panel). */
  cacheStats(): TileCacheStats {
    return this.cache.stats();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cache.clear();
    await this.file.source.close();
  }
}

function crop(image: RgbaImage, width: number, height: number): RgbaImage {
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

/** Every readable page and SubIFD page; the first page must be readable, others are optional extras. */
async function loadPages(file: TiffFile, signal?: AbortSignal): Promise<TiffPages> {
  const pages: TiffPage[] = [];
  const subPages = new Map<TiffPage, TiffPage[]>();
  for (const [index, ifd] of file.ifds.entries()) {
    let page: TiffPage;
    try {
      page = await loadPage(file, ifd, index, signal);
    } catch (error) {
      if (index === 0) throw error;
      continue;
    }
    pages.push(page);
    const subs: TiffPage[] = [];
    for (const sub of ifd.subIfds) {
      try {
        subs.push(await loadPage(file, sub, -1, signal));
      } catch {
        // a damaged reduced level is skipped; level 0 still shows
      }
    }
    subPages.set(page, subs);
  }
  if (pages.length === 0) throw new SlideError(`${file.source.name} holds no image.`);
  return {
    name: file.source.name,
    pages,
    subPages: (page) => subPages.get(page) ?? [],
    text: (page, tag) => tagText(file, page.ifd, tag, signal),
  };
}

function buildMetadata(name: string, format: SlideMetadata['format'], layout: TiffLayout, vendor: FormatMetadata): SlideMetadata {
  const base = layout.levels[0]!;
  const levels: SlideLevel[] = layout.levels.map((page) => ({
    width: page.width,
    height: page.height,
    downsample: base.width / page.width,
    tileWidth: page.blockWidth,
    tileHeight: page.blockHeight,
  }));
  const properties: Record<string, string> = { ...vendor.properties };
  let { mppX, mppY } = vendor;
  if (mppX === null) {
    // Fall back to the TIFF resolution tags (pixels per inch or centimetre).
    mppX = mppFromTiffResolution(base.xResolution, base.resolutionUnit);
    mppY = mppFromTiffResolution(base.yResolution, base.resolutionUnit) ?? mppX;
  }
  if (base.xResolution !== undefined) properties['tiff.XResolution'] = String(base.xResolution);
  if (base.yResolution !== undefined) properties['tiff.YResolution'] = String(base.yResolution);
  if (base.resolutionUnit !== undefined) properties['tiff.ResolutionUnit'] = String(base.resolutionUnit);
  properties['tiff.Compression'] = String(base.codec.compression);
  properties['tiff.PhotometricInterpretation'] = String(base.codec.photometric);
  return {
    name,
    format,
    vendor: vendor.vendor,
    width: base.width,
    height: base.height,
    levels,
    mppX,
    mppY: mppY ?? mppX,
    objectivePower: vendor.objectivePower,
    compression: compressionName(base.codec.compression),
    associatedImages: (['label', 'macro', 'thumbnail'] as const).filter((kind) => layout.associated[kind]),
    properties,
  };
}
