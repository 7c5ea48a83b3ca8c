/**
 * JPEG 2000 tiles (Aperio 33003 = YCbCr, 33005 = RGB, and the generic TIFF code 34712) decoded by OpenJPEG
 * compiled to WebAssembly (@cornerstonejs/codec-openjpeg), registered with geotiff.js's decoder registry so
 * every compression goes through one `getDecoder` call. How the WASM module is loaded differs between Node
 * and a browser worker, so each environment installs its loader (openjpeg-node.ts, decode-worker.ts).
 */
import { addDecoder, BaseDecoder } from 'geotiff';
import { ycbcrToRgbInPlace } from './color';
import { openJpegConvertsToRgb, readJ2kHeader } from './j2k-codestream';

export const JPEG2000_COMPRESSIONS = [33003, 33005, 34712] as const;

/** The part of the codec's Emscripten module we use. */
export interface OpenJpegModule {
  J2KDecoder: new () => OpenJpegDecoder;
}
interface OpenJpegDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
  delete?(): void;
}

let loader: (() => Promise<OpenJpegModule>) | null = null;
let modulePromise: Promise<OpenJpegModule> | null = null;

export function setOpenJpegLoader(load: () => Promise<OpenJpegModule>): void {
  loader = load;
  modulePromise = null;
}

function openJpeg(): Promise<OpenJpegModule> {
  if (!loader) throw new Error('no JPEG 2000 decoder is available in this environment');
  modulePromise ??= loader();
  return modulePromise;
}

export interface DecodedJ2k {
  width: number;
  height: number;
  components: number;
  /** Interleaved 8-bit samples. */
  data: Uint8Array;
}

export async function decodeJpeg2000(codestream: Uint8Array): Promise<DecodedJ2k> {
  const module = await openJpeg();
  const decoder = new module.J2KDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const decoded = decoder.getDecodedBuffer();
    let data: Uint8Array;
    if (info.bitsPerSample > 8) {
      // 16-bit samples come back as bytes of a Uint16 array: keep the high byte of each.
      const wide = new Uint16Array(decoded.buffer, decoded.byteOffset, decoded.byteLength >> 1);
      const shift = info.bitsPerSample - 8;
      data = Uint8Array.from(wide, (v) => v >> shift);
    } else {
      data = Uint8Array.from(decoded); // copy out of the WASM heap before the decoder is freed
    }
    return { width: info.width, height: info.height, components: info.componentCount, data };
  } finally {
    decoder.delete?.();
  }
}

/**
 * 33003 tiles hold YCbCr. OpenJPEG converts codestreams with subsampled chroma to RGB itself; full-resolution
 * YCbCr comes back as stored and is converted here.
 */
export function needsYcbcrConversion(compression: number, codestream: Uint8Array, components: number): boolean {
  if (compression !== 33003 || components < 3) return false;
  const header = readJ2kHeader(codestream);
  return !(header && openJpegConvertsToRgb(header));
}

/** geotiff.js decoder class: decodeBlock returns interleaved RGB (33003's YCbCr converted where needed). */
class Jpeg2000Decoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const params = this.parameters as unknown as { compression?: number };
    const codestream = new Uint8Array(buffer);
    const decoded = await decodeJpeg2000(codestream);
    if (needsYcbcrConversion(params.compression ?? 0, codestream, decoded.components)) ycbcrToRgbInPlace(decoded.data, decoded.components);
    return decoded.data.buffer;
  }
}

let registered = false;
export function registerJpeg2000Decoder(): void {
  if (registered) return;
  registered = true;
  // geotiff passes the parameters object through; we add `compression` to it in tile-decoder.ts.
  addDecoder([...JPEG2000_COMPRESSIONS], async () => Jpeg2000Decoder, undefined, false);
}
