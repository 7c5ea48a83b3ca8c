/**
 * What a tile decoder needs to know, and the TIFF compression names: plain data, so the main thread can use
 * them without loading geotiff.js's decoders (those live in the workers, see tile-decoder.ts).
 */
import type { ChannelDisplay } from './channel-composite';
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
}

/** What a reader asks a decoder for: the compressed bytes, or where they lie in a local file. */
export type TileRequest = Omit<TileJob, 'planes'> & ({ planes: Uint8Array[]; file?: undefined } | { file: BlobRanges; planes?: undefined });

/** Reads a request's bytes (in a worker, for local files); a range cut short means the file is truncated. */
export async function resolveTileRequest(request: TileRequest): Promise<TileJob> {
  if (request.planes) return request as TileJob;
  const { blob, ranges } = request.file;
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
