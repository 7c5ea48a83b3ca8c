/**
 * Hamamatsu NDPI: a TIFF whose pages each hold one JPEG in one strip (a whole pyramid level), marked by tag
 * 65420. A level is read as tiles of whole restart intervals: the NDPI McuStarts tag (65426) gives where every
 * interval starts, so a tile reads and decodes only its own intervals, never the level (jpeg-restart.ts builds
 * the tile's JPEG). Levels without restart markers are small and decode whole. SourceLens (65421) is the level's
 * objective magnification (-1 marks the macro image), 65424 the focal plane (only plane 0 is shown), resolution
 * in pixels per centimetre; the property map (65449) goes to the metadata panel.
 *
 * Files over 4 GiB: tiff-structure.ts reads NDPI's 64-bit offsets (header, IFD links and the high-bits block
 * after each IFD). McuStarts are offsets from the level's strip start; for a level JPEG over 4 GiB their high 32
 * bits are in McuStartsHighBytes (65432), one per interval, as OpenSlide and tifffile read them. A level JPEG
 * that needs them and lacks them is refused, never read with wrapped offsets.
 */
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
import type { TileDecodeFn, TileDisplayDecodeFn } from '../tiff-slide';
import { cropBitmap } from '../tile-bitmap';
import { TileCache } from '../tile-cache';
import { standaloneJpegCodec, type TileRequest } from '../tile-codec';
import { tagNumber, tagNumbers, tagText, type TiffFile, type TiffIfd } from '../tiff-structure';
import { jpegFromIntervals, parseJpegRestartHeader, partHeader, type JpegRestartHeader } from './jpeg-restart';

export const NDPI_FORMAT_FLAG = 65420;
const SOURCE_LENS = 65421;
const X_OFFSET = 65422;
const Y_OFFSET = 65423;
const FOCAL_PLANE = 65424;
const MCU_STARTS = 65426;
const MCU_STARTS_HIGH = 65432;
const HIGH_WORD = 2 ** 32;
const PROPERTY_MAP = 65449;

/** True when the first page carries NDPI's format tag. */
export function isNdpi(file: TiffFile): boolean {
  return file.ifds[0]?.entries.has(NDPI_FORMAT_FLAG) ?? false;
}

/** One page's JPEG: where it lies, its header, and (when tiled by restart intervals) where each interval starts. */
interface NdpiJpeg {
  page: number;
  offset: number;
  length: number;
  header: JpegRestartHeader;
  /** File offsets of each restart interval's first byte, row by row; null: decode the JPEG whole. */
  starts: number[] | null;
  intervalsPerRow: number;
  /** Restart intervals (across) and MCU rows (down) in one tile. */
  tileIntervals: number;
  tileMcuRows: number;
}

const HEADER_PROBE = 64 * 1024;
const MAX_HEADER = 1024 * 1024;
/** A level without restart markers is decoded whole: only small ones (NDPI's thumbnails of the pyramid). */
const MAX_WHOLE_PIXELS = 16 * 1024 * 1024;
/** A tile's rows are read in one go when the span holding them is at most this large (or 4x what they need). */
const SPAN_READ_BYTES = 1024 * 1024;
/** Bands kept (compressed bytes): enough for every band of a level 32 bands tall, as a viewer pans and zooms. */
const SPAN_CACHE_BYTES = 32 * 1024 * 1024;
/** Tiles of about this many pixels a side (as SVS and DICOM pyramids use). */
const TILE_TARGET = 256;
/**
 * The most entropy-coded bytes one MCU can take: 6 blocks (4:2:0) of 64 coefficients of at most 27 bits each,
 * doubled for byte stuffing, is under 3 KiB. A restart interval claiming more is damage (or a hole), never read.
 */
const MAX_BYTES_PER_MCU = 8 * 1024;
/** A level decoded whole (no restart markers) is at most this many bytes per pixel of its size, plus its header. */
const MAX_WHOLE_BYTES_PER_PIXEL = 8;

const CODEC = standaloneJpegCodec('ndpi');
let openedSlides = 0;

async function readJpegHeader(file: TiffFile, offset: number, length: number, what: string, signal?: AbortSignal): Promise<JpegRestartHeader> {
  let probe = Math.min(length, HEADER_PROBE);
  for (;;) {
    const parsed = parseJpegRestartHeader(await file.source.read(offset, probe, signal));
    if (typeof parsed === 'object') return parsed;
    if (parsed !== 'more' || probe >= Math.min(length, MAX_HEADER)) {
      throw new SlideError(
        `${file.source.name} is a Hamamatsu NDPI slide whose ${what} cannot be read: ${parsed === 'more' ? 'its JPEG header is cut off' : parsed}.`,
      );
    }
    probe = Math.min(length, probe * 4, MAX_HEADER);
  }
}

async function loadJpeg(file: TiffFile, ifd: TiffIfd, page: number, what: string, signal?: AbortSignal): Promise<NdpiJpeg> {
  const width = await tagNumber(file, ifd, 256, signal);
  const height = await tagNumber(file, ifd, 257, signal);
  const offsets = await tagNumbers(file, ifd, 273, signal);
  const counts = await tagNumbers(file, ifd, 279, signal);
  if (!width || !height || offsets?.length !== 1 || counts?.length !== 1) {
    throw new SlideError(`${file.source.name} is a Hamamatsu NDPI slide whose ${what} is not one JPEG strip; the file is damaged.`);
  }
  const offset = offsets[0]!;
  const length = counts[0]!;
  if (offset + length > file.source.size || length < 4) throw new SlideError(`${file.source.name} is truncated: the ${what} lies past the end of the file.`);
  const header = await readJpegHeader(file, offset, length, what, signal);
  // NDPI's own width and height win over the SOF's (OpenSlide checks they agree where the SOF can say).
  if (header.width !== width || header.height !== height) {
    throw new SlideError(
      `${file.source.name} is a Hamamatsu NDPI slide whose ${what} JPEG is ${header.width} x ${header.height}, not ${width} x ${height}; the file is damaged.`,
    );
  }
  const base = { page, offset, length, header, starts: null, intervalsPerRow: 1, tileIntervals: 1, tileMcuRows: 1 };
  if (header.restartInterval === 0) {
    if (width * height > MAX_WHOLE_PIXELS) {
      throw new SlideError(
        `${file.source.name} is a Hamamatsu NDPI slide whose ${what} (${width} x ${height}) has no restart markers, so it could only be read by decoding it whole; PathoLens does not.`,
      );
    }
    if (length > width * height * MAX_WHOLE_BYTES_PER_PIXEL + MAX_HEADER) {
      throw new SlideError(
        `${file.source.name} is a Hamamatsu NDPI slide whose ${what} claims a ${length}-byte JPEG for ${width} x ${height} pixels; the file is damaged.`,
      );
    }
    return base;
  }
  const mcusPerRow = Math.ceil(width / header.mcuWidth);
  const mcuRows = Math.ceil(height / header.mcuHeight);
  if (mcusPerRow % header.restartInterval !== 0) {
    throw new SlideError(
      `${file.source.name} is a Hamamatsu NDPI slide whose ${what} has restart intervals that do not divide its MCU rows; PathoLens cannot tile it.`,
    );
  }
  const intervalsPerRow = mcusPerRow / header.restartInterval;
  const recorded = await tagNumbers(file, ifd, MCU_STARTS, signal);
  if (!recorded || recorded.length !== intervalsPerRow * mcuRows) {
    throw new SlideError(
      `${file.source.name} is a Hamamatsu NDPI slide whose ${what} has no usable restart-interval index (McuStarts: ${recorded?.length ?? 0} entries for ${intervalsPerRow * mcuRows} intervals); PathoLens reads NDPI levels only through it.`,
    );
  }
  const high = await tagNumbers(file, ifd, MCU_STARTS_HIGH, signal);
  if (high && high.length !== recorded.length) {
    throw new SlideError(
      `${file.source.name} is a Hamamatsu NDPI slide whose ${what} has ${high.length} McuStartsHighBytes entries for ${recorded.length} restart intervals; the file is damaged.`,
    );
  }
  if (!high && length > HIGH_WORD) {
    // The low 32 bits alone would wrap inside this JPEG: every interval past its first 4 GiB would be misplaced.
    throw new SlideError(
      `${file.source.name} is a Hamamatsu NDPI slide whose ${what} is a ${length}-byte JPEG (over 4 GiB) without the high bits of its restart-interval offsets (McuStartsHighBytes, tag 65432); its tiles cannot be placed.`,
    );
  }
  // Exact: low + high * 2^32 (a JS number holds integers to 2^53), never 32-bit bit operations.
  const starts = recorded.map((start, i) => offset + start + (high?.[i] ?? 0) * HIGH_WORD);
  for (let i = 0; i < starts.length; i++) {
    if (!(starts[i]! >= offset + header.header.length && starts[i]! < offset + length && (i === 0 || starts[i]! > starts[i - 1]!))) {
      throw new SlideError(
        `${file.source.name} is a Hamamatsu NDPI slide whose ${what} restart-interval index is out of order or past the JPEG; the file is damaged.`,
      );
    }
  }
  const intervalWidth = header.restartInterval * header.mcuWidth;
  const tileIntervals = Math.max(1, Math.min(intervalsPerRow, Math.round(TILE_TARGET / intervalWidth)));
  const tileMcuRows = Math.max(1, Math.min(mcuRows, Math.round((tileIntervals * intervalWidth) / header.mcuHeight)));
  return { ...base, starts, intervalsPerRow, tileIntervals, tileMcuRows };
}

function tileSize(jpeg: NdpiJpeg): { width: number; height: number } {
  const { header } = jpeg;
  if (!jpeg.starts) return { width: header.width, height: header.height };
  return { width: jpeg.tileIntervals * header.restartInterval * header.mcuWidth, height: jpeg.tileMcuRows * header.mcuHeight };
}

export class NdpiSlideSource implements SlideSource {
  private readonly cache: TileCache;
  private readonly spans = new Map<string, { bytes: Promise<Uint8Array>; length: number }>();
  private spanBytes = 0;
  /** Names this slide's file in the decode workers' band caches. */
  private readonly fileKey = `ndpi-${++openedSlides}-${Math.random().toString(36).slice(2)}`;
  private closed = false;

  private constructor(
    readonly metadata: SlideMetadata,
    private readonly file: TiffFile,
    private readonly levels: NdpiJpeg[],
    private readonly macro: NdpiJpeg | null,
    private readonly decode: TileDecodeFn,
    tileCacheBytes?: number,
    /** The decoder reads Blob bands itself (the worker pool): set for a local file in the browser. */
    private readonly blob: Blob | null = null,
    private readonly decodeForDisplay?: TileDisplayDecodeFn,
  ) {
    this.cache = new TileCache(tileCacheBytes);
  }

  static async open(
    file: TiffFile,
    options: { decode: TileDecodeFn; decodeForDisplay?: TileDisplayDecodeFn; tileCacheBytes?: number; signal?: AbortSignal; decodeReadsBlobs?: boolean },
  ): Promise<NdpiSlideSource> {
    const { signal } = options;
    const name = file.source.name;
    const levels: NdpiJpeg[] = [];
    let macro: NdpiJpeg | null = null;
    for (const [page, ifd] of file.ifds.entries()) {
      const lens = await tagNumber(file, ifd, SOURCE_LENS, signal);
      if (lens === -1 && !macro) {
        macro = await loadJpeg(file, ifd, page, 'macro image', signal).catch(() => null);
        continue;
      }
      if (!(lens !== undefined && lens > 0) || ((await tagNumber(file, ifd, FOCAL_PLANE, signal)) ?? 0) !== 0) continue;
      levels.push(await loadJpeg(file, ifd, page, `level of page ${page + 1} (${lens}x)`, signal));
    }
    levels.sort((a, b) => b.header.width - a.header.width);
    const pyramid = levels.filter((level, i) => i === 0 || level.header.width < levels[i - 1]!.header.width);
    if (pyramid.length === 0) throw new SlideError(`${name} is a Hamamatsu NDPI file without a pyramid level (no page with a SourceLens).`);
    const base = pyramid[0]!;
    const baseIfd = file.ifds[base.page]!;
    const metadata: SlideMetadata = {
      name,
      format: 'hamamatsu-ndpi',
      vendor: 'Hamamatsu',
      width: base.header.width,
      height: base.header.height,
      levels: pyramid.map((level) => ({
        width: level.header.width,
        height: level.header.height,
        downsample: base.header.width / level.header.width,
        ...tileWidths(level),
      })),
      mppX: await micronsPerPixel(file, baseIfd, 282, signal),
      mppY: await micronsPerPixel(file, baseIfd, 283, signal),
      objectivePower: (await tagNumber(file, baseIfd, SOURCE_LENS, signal)) ?? null,
      compression: 'JPEG',
      associatedImages: macro ? ['macro'] : [],
      properties: await properties(file, baseIfd, signal),
    };
    const blob = options.decodeReadsBlobs ? (file.source.blob ?? null) : null;
    const slide = new NdpiSlideSource(metadata, file, pyramid, macro, options.decode, options.tileCacheBytes, blob, options.decodeForDisplay);
    await slide.readTile(pyramid.length - 1, 0, 0, signal);
    return slide;
  }

  /** For the viewer: the cached RGBA tile, else (browser) the decoder's ImageBitmap, not cached, never read back. */
  readTileForDisplay(level: number, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage | ImageBitmap> {
    const jpeg = this.levels[level];
    const decode = this.decodeForDisplay;
    const cached = this.cache.peek(`${level}/${column}/${row}`);
    if (cached || !decode || !jpeg || this.closed) return cached ?? this.readTile(level, column, row, signal);
    return this.readTile(level, column, row, signal, decode);
  }

  readTile(level: number, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage>;
  readTile(level: number, column: number, row: number, signal: AbortSignal | undefined, decode: TileDisplayDecodeFn): Promise<RgbaImage | ImageBitmap>;
  readTile(level: number, column: number, row: number, signal?: AbortSignal, decode?: TileDisplayDecodeFn): Promise<RgbaImage | ImageBitmap> {
    if (this.closed) return Promise.reject(new SlideError(`${this.metadata.name} has been closed.`));
    const jpeg = this.levels[level];
    const info = this.metadata.levels[level];
    if (!jpeg || !info) return Promise.reject(new SlideError(`Level ${level} does not exist in ${this.metadata.name}.`));
    if (!(
      Number.isInteger(column) &&
      Number.isInteger(row) &&
      column >= 0 &&
      row >= 0 &&
      column * info.tileWidth < info.width &&
      row * info.tileHeight < info.height
    )) {
      return Promise.reject(new SlideError(`Tile (${column}, ${row}) is outside level ${level} of ${this.metadata.name}.`));
    }
    if (decode) return this.decodeTile(jpeg, column, row, signal, decode);
    return this.cache.get(`${level}/${column}/${row}`, () => this.decodeTile(jpeg, column, row, signal) as Promise<RgbaImage>);
  }

  /** Reads the tile's restart intervals (one range per MCU row), joins them into a JPEG and decodes it. */
  private async decodeTile(
    jpeg: NdpiJpeg,
    column: number,
    row: number,
    signal?: AbortSignal,
    decode: TileDisplayDecodeFn = this.decode,
  ): Promise<RgbaImage | ImageBitmap> {
    const { header } = jpeg;
    const size = tileSize(jpeg);
    const width = Math.min(size.width, header.width - column * size.width);
    const height = Math.min(size.height, header.height - row * size.height);
    let request: TileRequest;
    const tile = { codec: CODEC, width: jpeg.starts ? width : header.width, height: jpeg.starts ? height : header.height };
    if (!jpeg.starts) {
      request = { ...tile, planes: [await this.read(jpeg.offset, jpeg.length, signal)] };
    } else {
      const starts = jpeg.starts;
      const end = jpeg.offset + jpeg.length;
      const firstInterval = column * jpeg.tileIntervals;
      const across = Math.min(jpeg.tileIntervals, jpeg.intervalsPerRow - firstInterval);
      const firstRow = row * jpeg.tileMcuRows;
      const rows = Math.min(jpeg.tileMcuRows, Math.ceil(header.height / header.mcuHeight) - firstRow);
      const rowFirsts = Array.from({ length: rows }, (_, k) => (firstRow + k) * jpeg.intervalsPerRow + firstInterval);
      // The band: the tile's MCU rows across the whole level, the same for every tile of the band.
      const spanFrom = starts[firstRow * jpeg.intervalsPerRow]!;
      const spanTo = starts[(firstRow + rows) * jpeg.intervalsPerRow] ?? end;
      const needed = rowFirsts.reduce((sum, first) => sum + (starts[first + across] ?? end) - starts[first]!, 0);
      const perRowLimit = across * header.restartInterval * MAX_BYTES_PER_MCU;
      for (const first of rowFirsts) {
        const bytes = (starts[first + across] ?? end) - starts[first]!;
        if (bytes > perRowLimit) {
          throw new SlideError(
            `${this.metadata.name} is a Hamamatsu NDPI slide whose level of page ${jpeg.page + 1} has restart intervals of ${bytes} bytes for ${across * header.restartInterval} MCUs at tile (${column}, ${row}), more than a JPEG can hold; the file is damaged there.`,
          );
        }
      }
      const inBand = spanTo - spanFrom <= Math.max(SPAN_READ_BYTES, 4 * needed);
      if (inBand && this.blob) {
        // A local file in the browser: the decode worker reads the band from the File itself (and keeps it for
        // the band's other tiles) and joins the intervals; the page sends offsets only (tile-codec.ts).
        const intervals: number[] = [];
        for (const first of rowFirsts) {
          for (let i = 0; i < across; i++) intervals.push(starts[first + i]! - spanFrom, (starts[first + i + 1] ?? end) - spanFrom);
        }
        request = {
          ...tile,
          restart: {
            blob: this.blob,
            fileKey: this.fileKey,
            span: { offset: spanFrom, length: spanTo - spanFrom },
            header: partHeader(header, width, height),
            intervals,
          },
        };
      } else {
        let rowsData: { first: number; from: number; data: Uint8Array }[];
        if (inBand) {
          // The band in one read (at most 1 MiB), far cheaper than one read per MCU row (each a round trip to the
          // file or server), and kept for the band's other tiles.
          const span = await this.readSpan(spanFrom, spanTo - spanFrom, signal);
          rowsData = rowFirsts.map((first) => ({ first, from: spanFrom, data: span }));
        } else {
          // One read per MCU row of the tile, all in flight together.
          rowsData = await Promise.all(
            rowFirsts.map((first) => {
              const from = starts[first]!;
              return this.read(from, (starts[first + across] ?? end) - from, signal).then((data) => ({ first, from, data }));
            }),
          );
        }
        const intervals: Uint8Array[] = [];
        for (const { first, from, data } of rowsData) {
          // Each interval ends with its RSTn (or the JPEG's EOI): drop the marker, jpegFromIntervals adds its own.
          for (let i = 0; i < across; i++) {
            const start = starts[first + i]! - from;
            const stop = (starts[first + i + 1] ?? end) - from;
            intervals.push(data.subarray(start, Math.max(start, stop - 2)));
          }
        }
        request = { ...tile, planes: [jpegFromIntervals(header, width, height, intervals)] };
      }
    }
    let decoded: RgbaImage | ImageBitmap;
    try {
      decoded = await decode(request, signal);
    } catch (error) {
      if (error instanceof SlideError || signal?.aborted) throw error;
      throw new SlideError(
        `A JPEG tile of ${this.metadata.name} (Hamamatsu NDPI) could not be decoded (${(error as Error).message ?? error}); the file is damaged.`,
      );
    }
    return 'data' in decoded ? cropTile(decoded, width, height) : cropBitmap(decoded, width, height);
  }

  /**
   * A band of MCU rows, kept for the next tiles of the same band (the viewer asks for a row of tiles at once, and
   * each would read the same span): spans of at most SPAN_READ_BYTES, SPAN_CACHE_BYTES in all.
   */
  private readSpan(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    const key = `${offset}+${length}`;
    const cached = this.spans.get(key);
    if (cached) {
      this.spans.delete(key);
      this.spans.set(key, cached);
      return cached.bytes;
    }
    const bytes = this.read(offset, length, signal);
    bytes.catch(() => {
      if (this.spans.get(key)?.bytes !== bytes) return;
      this.spans.delete(key);
      this.spanBytes -= length;
    });
    this.spans.set(key, { bytes, length });
    this.spanBytes += length;
    for (const [oldKey, entry] of this.spans) {
      if (this.spanBytes <= SPAN_CACHE_BYTES || oldKey === key) break;
      this.spans.delete(oldKey);
      this.spanBytes -= entry.length;
    }
    return bytes;
  }

  private async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    const data = await this.file.source.read(offset, length, signal);
    if (data.length < length) throw new SlideError(`${this.metadata.name} is truncated: a JPEG lies past the end of the file.`);
    return data;
  }

  readRegion(rect: SlideRect, targetMpp: number | null, signal?: AbortSignal): Promise<ReadRegionResult> {
    return readRegionFromTiles(this.metadata, (l, c, r, s) => this.readTile(l, c, r, s), rect, targetMpp, signal);
  }

  async readAssociatedImage(name: AssociatedImageName, signal?: AbortSignal): Promise<RgbaImage> {
    if (name !== 'macro' || !this.macro) throw new SlideError(`${this.metadata.name} has no ${name} image.`);
    return this.decodeTile(this.macro, 0, 0, signal) as Promise<RgbaImage>;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cache.clear();
    this.spans.clear();
    this.spanBytes = 0;
    await this.file.source.close();
  }
}

function tileWidths(jpeg: NdpiJpeg): { tileWidth: number; tileHeight: number } {
  const { width, height } = tileSize(jpeg);
  return { tileWidth: width, tileHeight: height };
}

/** Microns per pixel from a resolution tag in pixels per centimetre (NDPI's unit). */
async function micronsPerPixel(file: TiffFile, ifd: TiffIfd, tag: number, signal?: AbortSignal): Promise<number | null> {
  const resolution = await tagNumber(file, ifd, tag, signal);
  const unit = (await tagNumber(file, ifd, 296, signal)) ?? 2;
  return resolution && resolution > 0 && unit === 3 ? 10000 / resolution : null;
}

async function properties(file: TiffFile, ifd: TiffIfd, signal?: AbortSignal): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const lens = await tagNumber(file, ifd, SOURCE_LENS, signal);
  if (lens !== undefined) out['hamamatsu.SourceLens'] = String(lens);
  const x = await tagNumber(file, ifd, X_OFFSET, signal);
  const y = await tagNumber(file, ifd, Y_OFFSET, signal);
  if (x !== undefined) out['hamamatsu.XOffsetFromSlideCentre'] = String(x);
  if (y !== undefined) out['hamamatsu.YOffsetFromSlideCentre'] = String(y);
  const software = await tagText(file, ifd, 305, signal);
  if (software) out['tiff.Software'] = software;
  for (const line of ((await tagText(file, ifd, PROPERTY_MAP, signal)) ?? '').split(/\r?\n/)) {
    const equals = line.indexOf('=');
    if (equals > 0 && equals < line.length - 1) out[`hamamatsu.${line.slice(0, equals).trim()}`] = line.slice(equals + 1).trim();
  }
  return out;
}
