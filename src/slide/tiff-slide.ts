/**
 * SlideSource for TIFF-based slides. Loads the pages, lets the format registry (formats/) say which pages are
 * the pyramid and the label/macro/thumbnail and what the vendor metadata is, and reads tiles through a
 * TileDecodeFn (the browser's worker pool, or in-process decoding in Node).
 */
import type { ByteSource } from './byte-source';
import { detectTiffFormat, type FormatMetadata, type TiffLayout, type TiffPages } from './formats';
import { cropTile as crop, readRegionFromTiles, MAX_REGION_PIXELS, pasteTile } from './region';
import {
  SlideError,
  type AssociatedImageName,
  type ReadRegionResult,
  type RgbaImage,
  type SlideChannel,
  type SlideLevel,
  type SlideMetadata,
  type SlideRect,
  type SlideSource,
} from './slide-source';
import { DEFAULT_TILE_CACHE_BYTES, TileCache, type TileCacheStats } from './tile-cache';
import { compressionName, describeCompression, SUPPORTED_COMPRESSIONS, type TileRequest } from './tile-codec';
import { ValueHistogram, type ChannelDisplay, type ChannelStatistics } from './channel-composite';
import { planChannels, type ChannelPlan } from './channel-plan';
import { sampleType } from './sample-values';
import type { DecodedSamples } from './tile-decoder';
import { loadBlockIndex, loadPage, type BlockIndex, type TiffPage } from './tiff-pages';
import { mppFromTiffResolution, tiffResolutionScaleNote } from './tiff-resolution';
import { parseTiff, tagText, type TiffFile } from './tiff-structure';
import { bucketPieces, paintPieces, piecesShared, type LevelPlacement } from './tile-placement';
import { cropBitmap } from './tile-bitmap';

export type TileDecodeFn = (request: TileRequest, signal?: AbortSignal) => Promise<RgbaImage>;
/** A tile for drawing only: the native decoder's ImageBitmap (no readback), or RGBA when another decoder made it. */
export type TileDisplayDecodeFn = (request: TileRequest, signal?: AbortSignal) => Promise<RgbaImage | ImageBitmap>;
/** A block's sample values, unconverted (for channel statistics). */
export type SampleDecodeFn = (request: TileRequest, signal?: AbortSignal) => Promise<DecodedSamples>;

export interface TiffSlideOptions {
  decode: TileDecodeFn;
  /** Browser only: tiles for the viewer as ImageBitmaps (readTileForDisplay); without it the viewer gets RGBA. */
  decodeForDisplay?: TileDisplayDecodeFn;
  decodeSamples: SampleDecodeFn;
  /** The decoder reads `file` requests (Blob ranges) itself, e.g. in a worker. */
  decodeReadsBlobs?: boolean;
  tileCacheBytes?: number;
  signal?: AbortSignal;
  /** The file's structure when the caller has parsed it already (to tell NDPI apart). */
  file?: TiffFile;
}

/** A page of one pyramid level and where its blocks lie. */
interface IndexedPage {
  page: TiffPage;
  index: BlockIndex;
}

/** Channel-composited slides: each level's channel pages, and how each channel is drawn now. */
interface ChannelState {
  plan: ChannelPlan;
  levels: IndexedPage[][];
  /** Of the lowest level's values: the data's range and default windows. */
  statistics: ChannelStatistics[];
  displays: ChannelDisplay[];
}

/**
 * Decoded stored tiles of placed levels kept at least (whatever tileCacheBytes says) where one lies under several
 * output tiles: a BIF camera tile lies under up to 4, so without it each would decode it again. OpenSlide keeps
 * decoded tiles in its 32 MiB cache.
 */
const MIN_PLACED_SOURCE_CACHE_BYTES = 32 * 1024 * 1024;

export class TiffSlideSource implements SlideSource {
  private readonly cache: TileCache;
  /** The stored tiles under placed levels' output tiles: the tile cache, or its own when that is smaller. */
  private readonly placedSources: TileCache;
  private closed = false;
  /** Bumped when the channel display changes, so tiles decoded before it are not cached after it. */
  private displayVersion = 0;
  /**
   * Placed levels (Ventana BIF): per output tile, the pieces under it (built when the level is first read), and
   * whether a stored tile lies under several output tiles (then it is kept in placedSources between them).
   */
  private readonly placedBuckets = new Map<number, { buckets: Map<number, number[]>; shared: boolean }>();

  private constructor(
    readonly metadata: SlideMetadata,
    private readonly file: TiffFile,
    private readonly levelPages: TiffPage[],
    private readonly blockIndexes: BlockIndex[],
    private readonly associatedPages: Partial<Record<AssociatedImageName, TiffPage>>,
    private readonly decode: TileDecodeFn,
    tileCacheBytes: number | undefined,
    private readonly decodeReadsBlobs: boolean,
    private readonly channelState: ChannelState | null,
    private readonly placements: readonly LevelPlacement[] | undefined,
    /** Each placed level's pages when its pieces come from several (Leica SCN's regions); [0] is the level's own. */
    private readonly levelSources: readonly IndexedPage[][] | undefined,
    private readonly decodeForDisplay: TileDisplayDecodeFn | undefined,
  ) {
    this.cache = new TileCache(tileCacheBytes);
    const bytes = tileCacheBytes ?? DEFAULT_TILE_CACHE_BYTES;
    this.placedSources = placements && bytes < MIN_PLACED_SOURCE_CACHE_BYTES ? new TileCache(MIN_PLACED_SOURCE_CACHE_BYTES) : this.cache;
  }

  static async open(source: ByteSource, options: TiffSlideOptions): Promise<TiffSlideSource> {
    const { signal } = options;
    const file = options.file ?? (await parseTiff(source, signal));
    const pages = await loadPages(file, signal);
    const format = detectTiffFormat(pages);
    const layout = format.layout(pages);
    const unsupported = [...layout.levels, ...(layout.levelSources ?? []).flat()].find((page) => !SUPPORTED_COMPRESSIONS.has(page.codec.compression));
    if (unsupported) {
      throw new SlideError(
        `${source.name} uses ${describeCompression(unsupported.codec.compression)}, which PathoLens cannot decode. Convert the slide to JPEG or JPEG 2000 tiles (e.g. with vips or bfconvert).`,
      );
    }
    const blockIndexes = await Promise.all(layout.levels.map((page) => loadBlockIndex(file, page, signal)));
    const levelSources = layout.levelSources
      ? await Promise.all(
          layout.levelSources.map((pages, k) =>
            Promise.all(pages.map(async (page, n) => ({ page, index: n === 0 ? blockIndexes[k]! : await loadBlockIndex(file, page, signal) }))),
          ),
        )
      : undefined;
    const channelState = await openChannels(file, layout, options.decodeSamples, signal);
    const vendor = await format.metadata(pages, layout);
    const metadata = buildMetadata(source.name, format.format, layout, vendor);
    if (channelState) metadata.channels = describeChannels(channelState);
    const slide = new TiffSlideSource(
      metadata,
      file,
      layout.levels,
      blockIndexes,
      layout.associated,
      options.decode,
      options.tileCacheBytes,
      options.decodeReadsBlobs ?? false,
      channelState,
      vendor.levelPlacement,
      levelSources,
      options.decodeForDisplay,
    );
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
    const placement = this.placements?.[level];
    if (placement) return this.readPlacedTile(level, page, placement, column, row, signal);
    if (!(column >= 0 && column < page.columns && row >= 0 && row < page.rows) || !Number.isInteger(column) || !Number.isInteger(row)) {
      throw new SlideError(`Tile (${column}, ${row}) is outside level ${level} of ${this.metadata.name}.`);
    }
    const channels = this.channelState;
    const blocks = channels ? channels.levels[level]! : [{ page, index: this.blockIndexes[level]! }];
    const composite = channels ? channels.displays.map((display) => ({ ...display })) : undefined;
    return this.cache.get(`${this.displayVersion}:${level}/${column}/${row}`, () => this.decodeBlock(blocks, column, row, signal, composite));
  }

  /**
   * A tile for the viewer: the RGBA tile when the cache holds it, else (plain tiles of colour slides, in the browser)
   * the decoder's ImageBitmap, not cached here (OpenSeadragon keeps its own tiles) and never read back to RGBA.
   */
  readTileForDisplay(level: number, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage | ImageBitmap> {
    const page = this.levelPages[level];
    const decode = this.decodeForDisplay;
    if (!decode || !page || this.closed || this.channelState || this.placements?.[level]) return this.readTile(level, column, row, signal);
    if (!(column >= 0 && column < page.columns && row >= 0 && row < page.rows) || !Number.isInteger(column) || !Number.isInteger(row)) {
      return this.readTile(level, column, row, signal); // its sentence
    }
    const cached = this.cache.peek(`${this.displayVersion}:${level}/${column}/${row}`);
    return cached ?? this.decodeBlockWith(decode, [{ page, index: this.blockIndexes[level]! }], column, row, signal);
  }

  /** A tile of a placed level: white, then the pieces of the page's tiles under it in their order. */
  private readPlacedTile(level: number, page: TiffPage, placement: LevelPlacement, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage> {
    const tileWidth = page.blockWidth;
    const tileHeight = page.blockHeight;
    const columns = Math.ceil(placement.width / tileWidth);
    if (!(Number.isInteger(column) && Number.isInteger(row) && column >= 0 && row >= 0 && column < columns && row * tileHeight < placement.height)) {
      return Promise.reject(new SlideError(`Tile (${column}, ${row}) is outside level ${level} of ${this.metadata.name}.`));
    }
    return this.cache.get(`placed:${level}/${column}/${row}`, async () => {
      let bucketed = this.placedBuckets.get(level);
      if (!bucketed) {
        const buckets = bucketPieces(placement, tileWidth, tileHeight);
        bucketed = { buckets, shared: piecesShared(buckets) };
        this.placedBuckets.set(level, bucketed);
      }
      const { buckets, shared } = bucketed;
      // Stored tiles each under one output tile (Leica SCN regions on the tile grid) need no keeping beyond the tile cache.
      const sources = shared ? this.placedSources : this.cache;
      const pieces = (buckets.get(row * columns + column) ?? []).map((i) => placement.pieces[i]!);
      const own = { page, index: this.blockIndexes[level]! };
      const stored = await Promise.all(
        pieces.map((piece) => {
          const source = piece.source ?? 0;
          const block = source === 0 ? own : this.levelSources?.[level]?.[source];
          if (!block) throw new SlideError(`${this.metadata.name}: level ${level} names a part that the file does not have.`);
          const key = source === 0 ? `${level}/${piece.column}/${piece.row}` : `${level}@${source}/${piece.column}/${piece.row}`;
          return sources.get(key, () => this.decodeBlock([block], piece.column, piece.row, signal));
        }),
      );
      const x0 = column * tileWidth;
      const y0 = row * tileHeight;
      return paintPieces(x0, y0, Math.min(tileWidth, placement.width - x0), Math.min(tileHeight, placement.height - y0), pieces, stored);
    });
  }

  /** How each channel is drawn now (a copy); empty for colour slides. */
  channelDisplay(): ChannelDisplay[] {
    return (this.channelState?.displays ?? []).map((display) => ({ ...display, window: [...display.window] as [number, number] }));
  }

  /** Shows or hides a channel, or changes its window or colour; tiles read afterwards use the new display. */
  setChannelDisplay(index: number, change: Partial<ChannelDisplay>): void {
    const display = this.channelState?.displays[index];
    if (!display) throw new SlideError(`${this.metadata.name} has no channel ${index + 1}.`);
    Object.assign(display, change);
    this.displayVersion++;
    this.cache.clear();
    this.placedSources.clear();
  }

  /** Decodes the block at (column, row) of one page, or of each channel's page when compositing channels. */
  private decodeBlock(blocks: IndexedPage[], column: number, row: number, signal?: AbortSignal, composite?: ChannelDisplay[]): Promise<RgbaImage> {
    return this.decodeBlockWith(this.decode, blocks, column, row, signal, composite) as Promise<RgbaImage>;
  }

  private async decodeBlockWith(
    decode: TileDisplayDecodeFn,
    blocks: IndexedPage[],
    column: number,
    row: number,
    signal?: AbortSignal,
    composite?: ChannelDisplay[],
  ): Promise<RgbaImage | ImageBitmap> {
    const { page } = blocks[0]!;
    const planes = page.codec.planar === 2 ? page.codec.samplesPerPixel : 1;
    const perPlane = page.columns * page.rows;
    const blockIndex = row * page.columns + column;
    // Strips: the last one holds only the remaining rows.
    const storedHeight = page.tiled ? page.blockHeight : Math.min(page.blockHeight, page.height - row * page.blockHeight);
    const visibleWidth = Math.min(page.blockWidth, page.width - column * page.blockWidth);
    const visibleHeight = Math.min(page.blockHeight, page.height - row * page.blockHeight);
    const ranges: { offset: number; length: number }[] = [];
    for (const { index } of blocks) {
      for (let p = 0; p < planes; p++) {
        const i = p * perPlane + blockIndex;
        const count = index.byteCounts[i] ?? 0;
        if (count === 0) {
          // A block the scanner never wrote (outside the scanned area): white glass, or a dark background for channels.
          return { width: visibleWidth, height: visibleHeight, data: emptyBlock(visibleWidth, visibleHeight, composite !== undefined) };
        }
        ranges.push({ offset: index.offsets[i]!, length: count });
      }
    }
    const base = { codec: page.codec, width: page.blockWidth, height: storedHeight, composite };
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
    let decoded: RgbaImage | ImageBitmap;
    try {
      decoded = await decode(request, signal);
    } catch (error) {
      if (error instanceof SlideError || signal?.aborted) throw error;
      const message = (error as Error).message ?? String(error);
      if (/dynamically imported module|Importing a module script failed|no JPEG 2000 decoder/.test(message)) {
        // Our own code failed to load (e.g. the app was updated while this page was open), not the file.
        throw new SlideError(
          `PathoLens could not load its ${compressionName(page.codec.compression)} decoder (${message}); reload the page and open the slide again.`,
        );
      }
      throw new SlideError(
        `A ${compressionName(page.codec.compression)} tile of ${this.metadata.name} could not be decoded (${(error as Error).message ?? error}); the file is damaged.`,
      );
    }
    return 'data' in decoded ? crop(decoded, visibleWidth, visibleHeight) : cropBitmap(decoded, visibleWidth, visibleHeight);
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
        const block = await this.decodeBlock([{ page, index }], col, row, signal);
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
    this.placedSources.clear();
    await this.file.source.close();
  }
}

function emptyBlock(width: number, height: number, dark: boolean): Uint8ClampedArray {
  const data = new Uint8ClampedArray(width * height * 4).fill(dark ? 0 : 255);
  if (dark) for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return data;
}

/** Largest number of blocks of the lowest level read for channel statistics (evenly spread when there are more). */
const MAX_STATISTICS_BLOCKS = 64;

/**
 * The channels of a slide that is shown as channels (see channel-plan.ts), with default display windows taken
 * from the values of its lowest level: every region of the slide in few pixels.
 */
async function openChannels(file: TiffFile, layout: TiffLayout, decodeSamples: SampleDecodeFn, signal?: AbortSignal): Promise<ChannelState | null> {
  const plan = planChannels(layout);
  if (!plan) return null;
  const levels = await Promise.all(
    plan.pagesPerLevel.map((pages) => Promise.all(pages.map(async (page) => ({ page, index: await loadBlockIndex(file, page, signal) })))),
  );
  const lowest = levels[levels.length - 1]!;
  const channelCount = plan.names.length;
  const histograms = plan.names.map(() => new ValueHistogram());
  for (const [c, { page, index }] of (plan.storage === 'pages' ? lowest : [lowest[0]!]).entries()) {
    const blocks = page.columns * page.rows;
    const step = Math.max(1, Math.ceil(blocks / MAX_STATISTICS_BLOCKS));
    for (let block = 0; block < blocks; block += step) {
      const count = index.byteCounts[block] ?? 0;
      if (count === 0 || page.codec.planar !== 1) continue;
      const bytes = await file.source.read(index.offsets[block]!, count, signal);
      const column = block % page.columns;
      const row = Math.floor(block / page.columns);
      const storedHeight = page.tiled ? page.blockHeight : Math.min(page.blockHeight, page.height - row * page.blockHeight);
      const decoded = await decodeSamples({ codec: page.codec, width: page.blockWidth, height: storedHeight, planes: [bytes] }, signal);
      // Only the pixels inside the image: tile padding would pull the window towards zero.
      const visibleWidth = Math.min(page.blockWidth, page.width - column * page.blockWidth);
      const visibleHeight = Math.min(page.blockHeight, page.height - row * page.blockHeight);
      const spp = decoded.samplesPerPixel;
      for (let y = 0; y < visibleHeight; y++) {
        for (let x = 0; x < visibleWidth; x++) {
          const at = (y * decoded.width + x) * spp;
          if (plan.storage === 'pages') histograms[c]!.add(decoded.values[at]!);
          else for (let s = 0; s < channelCount; s++) histograms[s]!.add(decoded.values[at + s]!);
        }
      }
    }
  }
  const statistics = histograms.map((histogram) => histogram.statistics());
  // RGB of more than 8 bits: one window from 0 to the data's bit depth (12-bit data: 4095), so white stays white.
  const brightest = Math.max(...statistics.map((s) => s.max));
  const sharedWindow: [number, number] = [0, 2 ** Math.max(1, Math.ceil(Math.log2(brightest + 1))) - 1];
  const displays = statistics.map((s, c) => ({ color: plan.colors[c]!, window: plan.sharedWindow ? sharedWindow : s.window, visible: true }));
  return { plan, levels, statistics, displays };
}

function describeChannels(state: ChannelState): SlideChannel[] {
  const { codec } = state.levels[0]![0]!.page;
  const type = codec.compression === 7 ? 'uint8' : sampleType(codec.bitsPerSample, codec.sampleFormat);
  const { statistics } = state;
  return state.plan.names.map((name, c) => ({
    name,
    color: state.displays[c]!.color,
    sampleType: type,
    range: [statistics[c]!.min, statistics[c]!.max],
    window: [...state.displays[c]!.window],
  }));
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
  const levels: SlideLevel[] = layout.levels.map((page, k) => ({
    width: vendor.levelGeometry?.[k]?.width ?? page.width,
    height: vendor.levelGeometry?.[k]?.height ?? page.height,
    downsample: vendor.levelGeometry?.[k]?.downsample ?? base.width / page.width,
    tileWidth: page.blockWidth,
    tileHeight: page.blockHeight,
  }));
  const properties: Record<string, string> = { ...vendor.properties };
  let { mppX, mppY } = vendor;
  let scaleNote: string | null = null;
  if (mppX === null) {
    // Fall back to the TIFF resolution tags (pixels per inch or centimetre), which image programs fill with defaults.
    mppX = mppFromTiffResolution(base.xResolution, base.resolutionUnit);
    mppY = mppFromTiffResolution(base.yResolution, base.resolutionUnit) ?? mppX;
    scaleNote = tiffResolutionScaleNote(base.xResolution, base.resolutionUnit);
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
    width: levels[0]!.width,
    height: levels[0]!.height,
    levels,
    mppX,
    mppY: mppY ?? mppX,
    objectivePower: vendor.objectivePower,
    compression: compressionName(base.codec.compression),
    associatedImages: (['label', 'macro', 'thumbnail'] as const).filter((kind) => layout.associated[kind]),
    properties,
    ...(scaleNote ? { scaleNote } : {}),
  };
}
