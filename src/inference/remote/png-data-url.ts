/**
 * A region image as a `data:image/png;base64,…` URL, the form OpenAI-compatible servers take in an `image_url`
 * content part. fast-png encodes in plain JavaScript, so the same code runs in Node (the evaluation harness), the
 * page and a worker, with no canvas. PNG is lossless: the server sees the pixels the local model would.
 */
import { encode } from 'fast-png';
import type { RgbaImage } from '../../slide/slide-source';

export function rgbaToPngDataUrl(image: RgbaImage): string {
  const png = encode({
    width: image.width,
    height: image.height,
    data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    channels: 4,
    depth: 8,
  });
  return `data:image/png;base64,${bytesToBase64(png)}`;
}

/** btoa over 32 KiB slices: String.fromCharCode(...bytes) of a whole image would overflow the call stack. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const slice = 0x8000;
  for (let start = 0; start < bytes.length; start += slice) {
    binary += String.fromCharCode(...bytes.subarray(start, start + slice));
  }
  return btoa(binary);
}
