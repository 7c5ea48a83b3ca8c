/**
 * Decoding one TIFF tile or strip to RGBA: the same function runs in the browser's decode workers and in
 * Node (CLI, tests). JPEG tiles go to the browser's native decoder when the caller provides one (with the
 * tables and Adobe marker from jpeg-stream.ts); everything else, and JPEG in Node, through geotiff.js's
 * decoders (LZW, Deflate, PackBits, zstd, WebP, JPEG, none) and OpenJPEG for JPEG 2000.
 * Plain data in, plain data out, so a job can be posted to a worker.
 */
import { getDecoder } from 'geotiff';
import type { RgbaImage } from './slide-source';
import { compositeChannels, type ChannelDisplay, type ChannelSamples } from './channel-composite';
import { samplesToRgba } from './color';
import { buildTileJpeg, jpegDimensions } from './jpeg-stream';
import { readJ2kHeader } from './j2k-codestream';
import { JPEG2000_COMPRESSIONS, registerJpeg2000Decoder } from './jpeg2000';
import { sampleType, toSampleValues, type SampleValues } from './sample-values';
import type { TileCodec, TileJob } from './tile-codec';

export type { TileCodec, TileJob } from './tile-codec';
export { COMPRESSION_NAMES, SUPPORTED_COMPRESSIONS, compressionName, describeCompression } from './tile-codec';

/** Decodes a complete image file (JPEG, WebP) to RGBA with a platform decoder; throws when it cannot. */
export type ImageFileDecoder = (bytes: Uint8Array, type: 'image/jpeg' | 'image/webp') => Promise<RgbaImage>;

export interface PlatformDecoders {
  /** JPEG tiles through the browser's decoder; without it, geotiff.js's pure-JS JPEG decoder. */
  jpeg?: ImageFileDecoder;
  /** WebP tiles (geotiff.js has no decoder of its own for them outside a browser). */
  webp?: ImageFileDecoder;
}

registerJpeg2000Decoder();

type GeotiffDecoder = Awaited<ReturnType<typeof getDecoder>>;
const decoders = new Map<string, Promise<GeotiffDecoder>>();

function geotiffDecoder(codec: TileCodec, width: number, height: number, samplesPerBlock: number): Promise<GeotiffDecoder> {
  const key = `${codec.key}|${width}x${height}|${samplesPerBlock}`;
  let decoder = decoders.get(key);
  if (!decoder) {
    decoder = getDecoder(codec.compression, {
      tileWidth: width,
      tileHeight: height,
      planarConfiguration: codec.planar,
      bitsPerSample: Array(samplesPerBlock).fill(codec.bitsPerSample),
      predictor: codec.predictor,
      samplesPerPixel: samplesPerBlock,
      // Read by the JPEG decoder (shared tables) and the JPEG 2000 one (33003 colour).
      JPEGTables: codec.jpegTables ?? undefined,
      compression: codec.compression,
    } as Parameters<typeof getDecoder>[1]);
    decoders.set(key, decoder);
    if (decoders.size > 64) decoders.delete(decoders.keys().next().value as string);
  }
  return decoder;
}

/** 16-bit samples (in the file's byte order) to 8 bits by keeping the high byte. */
function to8Bit(decoded: Uint8Array, bits: number, littleEndian: boolean): Uint8Array {
  if (bits === 8) return decoded;
  if (bits !== 16) throw new RangeError(`${bits}-bit samples`);
  const out = new Uint8Array(decoded.length >> 1);
  const high = littleEndian ? 1 : 0;
  for (let i = 0; i < out.length; i++) out[i] = decoded[i * 2 + high]!;
  return out;
}

/** Width x height a JPEG 2000 codestream's SIZ marker claims (null when it has none). */
export function j2kDimensions(bytes: Uint8Array): { width: number; height: number } | null {
  const header = readJ2kHeader(bytes);
  return header && { width: header.width, height: header.height };
}

/**
 * Decoders allocate what a stream's own header claims: refuse a tile whose JPEG / JPEG 2000 header claims
 * more than its TIFF block (a damaged or crafted tile must not make us allocate gigabytes).
 */
function checkClaimedSize(job: TileJob, bytes: Uint8Array): void {
  const { compression } = job.codec;
  const claimed = compression === 7 ? jpegDimensions(bytes) : (JPEG2000_COMPRESSIONS as readonly number[]).includes(compression) ? j2kDimensions(bytes) : null;
  if ((compression === 7 || claimed) && (!claimed || claimed.width > job.width || claimed.height > job.height || claimed.width < 1 || claimed.height < 1)) {
    throw new Error(`the tile's header claims ${claimed ? `${claimed.width} x ${claimed.height}` : 'no'} pixels for a ${job.width} x ${job.height} block`);
  }
}

function isJpegLike(compression: number): boolean {
  return compression === 7 || (JPEG2000_COMPRESSIONS as readonly number[]).includes(compression);
}

/** One compressed block through its decoder: bytes in the file's sample layout (JPEG/JPEG 2000: 8-bit). */
async function decodeRaw(job: TileJob, bytes: Uint8Array, samplesPerBlock: number): Promise<Uint8Array> {
  checkClaimedSize(job, bytes);
  const decoder = await geotiffDecoder(job.codec, job.width, job.height, samplesPerBlock);
  // geotiff decoders may keep a view of the input: hand them their own copy.
  return new Uint8Array(await decoder.decode(bytes.slice().buffer));
}

async function decodeSamples(job: TileJob, bytes: Uint8Array, samplesPerBlock: number): Promise<Uint8Array> {
  const { codec } = job;
  const decoded = await decodeRaw(job, bytes, samplesPerBlock);
  // JPEG / JPEG 2000 produce 8-bit samples already; geotiff's JPEG decoder leaves YCbCr as stored.
  return isJpegLike(codec.compression) ? decoded : to8Bit(decoded, codec.bitsPerSample, codec.littleEndian);
}

/** A block's samples as numbers (interleaved when the page has several a pixel): for windows and composites. */
export interface DecodedSamples {
  width: number;
  height: number;
  samplesPerPixel: number;
  values: SampleValues;
}

async function decodeValues(job: TileJob, bytes: Uint8Array, samplesPerBlock: number): Promise<SampleValues> {
  const { codec } = job;
  const raw = await decodeRaw(job, bytes, samplesPerBlock);
  const type = isJpegLike(codec.compression) ? 'uint8' : sampleType(codec.bitsPerSample, codec.sampleFormat);
  return toSampleValues(raw, type, codec.littleEndian);
}

/** Decodes one block (planar = 1) to its sample values, without any conversion to colour. */
export async function decodeTileSamples(job: TileJob): Promise<DecodedSamples> {
  if (job.codec.planar !== 1) throw new Error('separate sample planes are read as channels, one page each');
  const values = await decodeValues(job, job.planes[0]!, job.codec.samplesPerPixel);
  return { width: job.width, height: job.height, samplesPerPixel: job.codec.samplesPerPixel, values };
}

/** Channels (one per plane, or the samples of one plane) windowed, coloured and added: what fluorescence viewers show. */
async function decodeComposite(job: TileJob, displays: ChannelDisplay[]): Promise<RgbaImage> {
  const pixels = job.width * job.height;
  let channels: ChannelSamples[];
  if (job.planes.length > 1) {
    const planes = await Promise.all(job.planes.map((plane, c) => (displays[c]?.visible ? decodeValues(job, plane, 1) : null)));
    channels = planes.map((values) => ({ values: values ?? new Uint8Array(pixels), stride: 1, offset: 0 }));
  } else {
    const spp = job.codec.samplesPerPixel;
    const values = await decodeValues(job, job.planes[0]!, spp);
    channels = displays.map((_, s) => ({ values, stride: spp, offset: s }));
  }
  for (const channel of channels) {
    if (channel.values.length < channel.offset + (pixels - 1) * channel.stride + 1)
      throw new RangeError(`decoded tile has ${channel.values.length} samples, expected ${pixels * channel.stride}`);
  }
  return { width: job.width, height: job.height, data: compositeChannels(channels, displays, pixels) };
}

/**
 * The stand-alone JPEG file a platform decoder gets for this block (tables in front, Adobe marker for RGB), or
 * null when the block is not for one (not JPEG, separate planes, channels). Throws when the tile's header claims
 * more pixels than its block, before any decoder allocates them.
 */
export function nativeJpegFile(job: TileJob): Uint8Array | null {
  const { codec } = job;
  if (codec.compression !== 7 || codec.planar !== 1 || job.composite) return null;
  checkClaimedSize(job, job.planes[0]!);
  // Photometric 2 = the JPEG holds RGB: tell the decoder not to convert from YCbCr.
  return buildTileJpeg(job.planes[0]!, codec.jpegTables, codec.photometric === 2);
}

/**
 * Decodes one block to RGBA of `job.width` x `job.height` (JPEG tiles may decode to their own stored size;
 * the result says its size).
 */
export async function decodeTile(job: TileJob, platform: PlatformDecoders = {}): Promise<RgbaImage> {
  const { codec } = job;
  if (job.composite) return decodeComposite(job, job.composite);
  const jpeg = platform.jpeg && nativeJpegFile(job);
  if (jpeg) {
    try {
      return await platform.jpeg!(jpeg, 'image/jpeg');
    } catch {
      // Streams the browser refuses (12-bit precision, arithmetic coding) may still decode in pure JS below.
    }
  }
  if (codec.compression === 50001) {
    if (!platform.webp) throw new Error('no WebP decoder is available here');
    return platform.webp(job.planes[0]!, 'image/webp');
  }
  let samples: Uint8Array;
  let spp = codec.samplesPerPixel;
  if (codec.planar === 2) {
    const planes = await Promise.all(job.planes.map((plane) => decodeSamples(job, plane, 1)));
    const pixels = job.width * job.height;
    samples = new Uint8Array(pixels * planes.length);
    planes.forEach((plane, s) => {
      for (let p = 0; p < pixels; p++) samples[p * planes.length + s] = plane[p] ?? 0;
    });
    spp = planes.length;
  } else {
    samples = await decodeSamples(job, job.planes[0]!, codec.samplesPerPixel);
  }
  // JPEG 2000 decodeBlock already returns RGB for 33003; other YCbCr data is converted by samplesToRgba.
  const isJ2k = (JPEG2000_COMPRESSIONS as readonly number[]).includes(codec.compression);
  const photometric = isJ2k && spp >= 3 ? 2 : codec.photometric;
  const rgba = samplesToRgba(samples, job.width, job.height, { photometric, samplesPerPixel: spp, alpha: codec.alpha, colorMap: codec.colorMap });
  return { width: job.width, height: job.height, data: rgba };
}
