/** Test fixtures made on the fly: a deterministic H&E-like RGB picture and TIFF files built from it. */
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { renderHe } from '../../cli/he-pattern';
import type { RgbaImage, SlideSource } from '../../src/slide/slide-source';
import { MemorySink, patchFirstIfd, TiffWriter, type PageSpec } from '../../src/slide/tiff-writer';

export interface Rgb {
  width: number;
  height: number;
  data: Uint8Array;
}

export function hePicture(width: number, height: number): Rgb {
  const data = new Uint8Array(width * height * 3);
  // A window into a large virtual slide, so it shows tissue, nuclei and some glass.
  renderHe({ width: width * 4, height: height * 4 }, width * 1.2, height * 1.1, width, height, data);
  return { width, height, data };
}

export function toRgba(rgb: Rgb): Uint8Array {
  const out = new Uint8Array(rgb.width * rgb.height * 4);
  for (let i = 0, o = 0; i < rgb.data.length; i += 3, o += 4) out.set([rgb.data[i]!, rgb.data[i + 1]!, rgb.data[i + 2]!, 255], o);
  return out;
}

/** 2x box-downsampled copy (edges: partial blocks average what exists). */
export function halve(rgb: Rgb): Rgb {
  const width = Math.ceil(rgb.width / 2);
  const height = Math.ceil(rgb.height / 2);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (const [dx, dy] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ] as const) {
          const sx = x * 2 + dx;
          const sy = y * 2 + dy;
          if (sx < rgb.width && sy < rgb.height) {
            sum += rgb.data[(sy * rgb.width + sx) * 3 + c]!;
            n++;
          }
        }
        data[(y * width + x) * 3 + c] = Math.round(sum / n);
      }
  return { width, height, data };
}

/** The tile at (col, row), padded with white to tile x tile. */
export function cutTile(rgb: Rgb, col: number, row: number, tile: number): Uint8Array {
  const out = new Uint8Array(tile * tile * 3).fill(255);
  for (let y = 0; y < tile; y++) {
    const sy = row * tile + y;
    if (sy >= rgb.height) break;
    const sx = col * tile;
    const w = Math.min(tile, rgb.width - sx);
    out.set(rgb.data.subarray((sy * rgb.width + sx) * 3, (sy * rgb.width + sx + w) * 3), y * tile * 3);
  }
  return out;
}

/** A tiled pyramid TIFF whose tiles are made by `encode` (one page per level). */
export async function pyramidTiff(
  levels: Rgb[],
  tile: number,
  spec: Omit<PageSpec, 'width' | 'height' | 'tileWidth' | 'tileHeight'>,
  encode: (tileRgb: Uint8Array) => Promise<Uint8Array> | Uint8Array,
  options: { subIfds?: boolean; extraPages?: number } = {},
): Promise<Uint8Array> {
  const sink = new MemorySink();
  const writer = new TiffWriter(sink);
  const pages = levels.map((level, k) =>
    writer.addPage(
      { ...spec, width: level.width, height: level.height, tileWidth: tile, tileHeight: tile, ...(k > 0 ? { description: undefined, newSubfileType: 1 } : {}) },
      k > 0 && options.subIfds ? 0 : undefined,
    ),
  );
  // Further full-size pages (OME: other planes or channels), which must not be taken for levels.
  for (let e = 0; e < (options.extraPages ?? 0); e++) {
    const extra = writer.addPage({ ...spec, width: levels[0]!.width, height: levels[0]!.height, tileWidth: tile, tileHeight: tile, description: undefined });
    pages.push(extra);
    levels = [...levels, levels[0]!];
  }
  for (const [k, level] of levels.entries()) {
    for (let row = 0; row < Math.ceil(level.height / tile); row++)
      for (let col = 0; col < Math.ceil(level.width / tile); col++) writer.addTile(pages[k]!, await encode(cutTile(level, col, row, tile)));
  }
  const first = writer.finish();
  const bytes = sink.bytes();
  patchFirstIfd(bytes, first);
  return bytes;
}

interface OpenJpegEncoderModule {
  J2KEncoder: new () => {
    getDecodedBuffer(info: object): Uint8Array;
    setDecompositions(n: number): void;
    encode(): void;
    getEncodedBuffer(): Uint8Array;
    delete(): void;
  };
}
let encoderModule: Promise<OpenJpegEncoderModule> | null = null;

/** Lossless JPEG 2000 codestream of a tile (OpenJPEG's encoder from the same package). */
export async function encodeJ2k(samples: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  encoderModule ??= (require('@cornerstonejs/codec-openjpeg/wasmjs') as (o: object) => Promise<OpenJpegEncoderModule>)({ print: () => {}, printErr: () => {} });
  const module = await encoderModule;
  const encoder = new module.J2KEncoder();
  encoder.getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: 3, isSigned: false, isUsingColorSpace: false }).set(samples);
  encoder.setDecompositions(2);
  encoder.encode();
  const out = encoder.getEncodedBuffer().slice();
  encoder.delete();
  return out;
}

/** RGB -> full-range YCbCr (what Aperio 33003 stores). */
export function rgbToYcbcr(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i]!,
      g = rgb[i + 1]!,
      b = rgb[i + 2]!;
    out[i] = Math.round(Math.min(255, Math.max(0, 0.299 * r + 0.587 * g + 0.114 * b)));
    out[i + 1] = Math.round(Math.min(255, Math.max(0, 128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
    out[i + 2] = Math.round(Math.min(255, Math.max(0, 128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
  }
  return out;
}

/** A zstd frame holding `data` in raw blocks: valid zstd any decoder reads, no compressor needed. */
export function zstdRawFrame(data: Uint8Array): Uint8Array {
  const MAX = 128 * 1024;
  const blockCount = Math.max(1, Math.ceil(data.length / MAX));
  const out = new Uint8Array(9 + blockCount * 3 + data.length);
  const size = data.length;
  out.set([0x28, 0xb5, 0x2f, 0xfd, 0xa0, size & 255, (size >> 8) & 255, (size >> 16) & 255, (size >>> 24) & 255]);
  let at = 9;
  for (let b = 0; b < blockCount; b++) {
    const chunk = data.subarray(b * MAX, Math.min((b + 1) * MAX, data.length));
    // Block header: last-block bit, type 0 (raw), size.
    const header = (b === blockCount - 1 ? 1 : 0) | (chunk.length << 3);
    out.set([header & 255, (header >> 8) & 255, (header >> 16) & 255], at);
    out.set(chunk, at + 3);
    at += 3 + chunk.length;
  }
  return out;
}

export async function sharpTiff(rgb: Rgb, options: Parameters<ReturnType<typeof sharp>['tiff']>[0]): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
      .tiff(options)
      .toBuffer(),
  );
}

export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    sum += Math.abs(a[i]! - b[i]!);
    n++;
  }
  return sum / n;
}

/** Mean and max |difference| over the colour channels, and the per-channel means. */
export function compare(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; max: number; perChannel: number[] } {
  const sums = [0, 0, 0];
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const c = i % 4;
    if (c === 3) continue;
    const d = Math.abs(a[i]! - b[i]!);
    sums[c]! += d;
    max = Math.max(max, d);
  }
  const pixels = a.length / 4;
  const perChannel = sums.map((s) => s / pixels);
  return { mean: (sums[0]! + sums[1]! + sums[2]!) / (3 * pixels), max, perChannel };
}

/** JPEG through libjpeg-turbo (sharp): the decoder family browsers use, and OpenSlide. */
export async function decodeWithLibjpeg(bytes: Uint8Array): Promise<RgbaImage> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** What opening a slide threw (the slide closed and null when it opened). */
export const failure = (promise: Promise<SlideSource>): Promise<unknown> =>
  promise.then(
    async (slide) => {
      await slide.close();
      return null;
    },
    (error: unknown) => error,
  );
