/**
 * What a tile decoder needs to know, and the TIFF compression names: plain data, so the main thread can use
 * them without loading geotiff.js's decoders (those live in the workers, see tile-decoder.ts).
 */
import type { ChannelDisplay } from './channel-composite';
import { jpegFromSpan } from './ndpi/jpeg-restart';
import { SlideError } from './slide-source';

/** What a decoder needs to know about a TIFF page's tiles (structured-clonable). */
export interface TileCodec {
  /** Identifies the page, so decoders (e.g. parsed JPEG tables) are reused across its tiles. */
  key: string;
  compression: number;
  photometric: number;
  samplesPerPixel: number;
  bitsPerSample: number;
  /** TIFF SampleFormat: 1 unsigned, 2 signed integers. */
  sampleFormat: number;
  planar: 1 | 2;
  predictor: number;
  littleEndian: boolean;
  alpha: boolean;
  jpegTables: Uint8Array | null;
  colorMap: number[] | null;
}

export interface TileJob {
  codec: TileCodec;
  /** The stored block's size (a whole tile, padding included, or a strip's rows). */
  width: number;
  height: number;
  /**
   * Compressed bytes: one entry, or one per sample plane when planar = 2, or with `composite` one per channel
   * (each channel's page, one sample a pixel).
   */
  planes: Uint8Array[];
  /** Fluorescence / high-bit-depth rendering: how each channel (a plane, or a sample of one plane) is drawn. */
  composite?: ChannelDisplay[];
}

export const COMPRESSION_NAMES: Record<number, string> = {
  1: 'none',
  5: 'LZW',
  6: 'old-style JPEG',
  7: 'JPEG',
  8: 'Deflate',
  32946: 'Deflate',
  32773: 'PackBits',
  33003: 'JPEG 2000 (Aperio 33003, YCbCr)',
  33005: 'JPEG 2000 (Aperio 33005, RGB)',
  34712: 'JPEG 2000',
  34887: 'LERC',
  50000: 'zstd',
  50001: 'WebP',
  34925: 'LZMA',
  34933: 'PNG',
  34934: 'JPEG XR',
};

export const SUPPORTED_COMPRESSIONS = new Set([1, 5, 7, 8, 32946, 32773, 33003, 33005, 34712, 50000, 50001]);

export function compressionName(code: number): string {
  return COMPRESSION_NAMES[code] ?? `unknown (TIFF code ${code})`;
}

/** For sentences: "JPEG compression", "an unknown compression (TIFF code 52479)". */
export function describeCompression(code: number): string {
  const name = COMPRESSION_NAMES[code];
  return name ? `${name} compression (TIFF code ${code})` : `an unknown compression (TIFF code ${code})`;
}

/** A tile still in its file: the worker reads these byte ranges itself, so the page never touches them. */
export interface BlobRanges {
  blob: Blob;
  ranges: { offset: number; length: number }[];
  /**
   * A run of the file that holds the ranges (a DICOM frame's neighbouring frames): the worker reads the whole run
   * in one Blob read (a read costs ~3-4 ms whatever its size) and keeps it, like NDPI bands, for the run's other
   * tiles. `fileKey` names the file for that cache (each posted Blob arrives as a new object).
   */
  run?: { fileKey: string; offset: number; length: number };
}

/**
 * A JPEG made of restart intervals of a local file (Hamamatsu NDPI): the decoder reads the band of MCU rows that
 * holds them itself (keeping it for the band's other tiles) and joins them (jpeg-restart.ts jpegFromSpan), so the
 * page never reads, copies or posts the bytes.
 */
export interface RestartIntervalsInFile {
  blob: Blob;
  /**
   * Names the file for the decoder's band cache, the same for every request of one open slide (each posted Blob
   * arrives in a worker as a new object, so the Blob itself cannot be the key).
   */
  fileKey: string;
  /** The band: where the intervals lie in the file. */
  span: { offset: number; length: number };
  /** The level's JPEG header with the tile's size in its SOF (SOI .. SOS). */
  header: Uint8Array;
  /** Each interval's [start, end) in the span, flat, its 2-byte marker included at the end. */
  intervals: number[];
}

/** What a reader asks a decoder for: the compressed bytes, or where they lie in a local file. */
export type TileRequest = Omit<TileJob, 'planes'> &
  (
    | { planes: Uint8Array[]; file?: undefined; restart?: undefined }
    | { file: BlobRanges; planes?: undefined; restart?: undefined }
    | { restart: RestartIntervalsInFile; planes?: undefined; file?: undefined }
  );

/** Bands kept by each decoder (a worker, or Node): compressed bytes, at most this many in all. */
const BAND_CACHE_BYTES = 32 * 1024 * 1024;
const bandCache = new Map<string, { bytes: Promise<Uint8Array>; length: number }>();
let bandCacheBytes = 0;
function readBand(blob: Blob, fileKey: string, offset: number, length: number): Promise<Uint8Array> {
  const key = `${fileKey}:${offset}+${length}`;
  const cached = bandCache.get(key);
  if (cached) {
    bandCache.delete(key);
    bandCache.set(key, cached);
    return cached.bytes;
  }
  const bytes = blob
    .slice(offset, offset + length)
    .arrayBuffer()
    .then((buffer) => {
      if (buffer.byteLength < length) throw new SlideError('The slide file is truncated: a JPEG lies past its end.');
      return new Uint8Array(buffer);
    });
  const forget = () => {
    if (bandCache.get(key)?.bytes === bytes) {
      bandCache.delete(key);
      bandCacheBytes -= length;
    }
  };
  bytes.catch(forget);
  bandCache.set(key, { bytes, length });
  bandCacheBytes += length;
  for (const [oldKey, entry] of bandCache) {
    if (bandCacheBytes <= BAND_CACHE_BYTES || oldKey === key) break;
    bandCache.delete(oldKey);
    bandCacheBytes -= entry.length;
  }
  return bytes;
}

/** Reads a request's bytes (in a worker, for local files); a range cut short means the file is truncated. */
export async function resolveTileRequest(request: TileRequest): Promise<TileJob> {
  if (request.planes) return request as TileJob;
  if (request.restart) {
    const { blob, fileKey, span, header, intervals } = request.restart;
    const band = await readBand(blob, fileKey, span.offset, span.length);
    return {
      codec: request.codec,
      width: request.width,
      height: request.height,
      planes: [jpegFromSpan(header, band, intervals)],
      composite: request.composite,
    };
  }
  const { blob, ranges, run } = request.file;
  if (run) {
    const bytes = await readBand(blob, run.fileKey, run.offset, run.length);
    const planes = ranges.map(({ offset, length }) => {
      const start = offset - run.offset;
      if (start < 0 || start + length > bytes.length) throw new SlideError('A tile lies outside the run of the file read for it.');
      return bytes.slice(start, start + length); // a copy: the run stays whole in the cache
    });
    return { codec: request.codec, width: request.width, height: request.height, planes, composite: request.composite };
  }
  const planes = await Promise.all(
    ranges.map(async ({ offset, length }) => {
      const bytes = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      if (bytes.length < length) throw new SlideError('The slide file is truncated: a tile lies past its end.');
      return bytes;
    }),
  );
  return { codec: request.codec, width: request.width, height: request.height, planes, composite: request.composite };
}

/** A self-contained 8-bit YCbCr JPEG (JFIF) read as its own file, not a TIFF tile: NDPI's levels, MRXS camera images. */
export function standaloneJpegCodec(key: string): TileCodec {
  return {
    key,
    compression: 7,
    photometric: 6,
    samplesPerPixel: 3,
    bitsPerSample: 8,
    sampleFormat: 1,
    planar: 1,
    predictor: 1,
    littleEndian: true,
    alpha: false,
    jpegTables: null,
    colorMap: null,
  };
}
