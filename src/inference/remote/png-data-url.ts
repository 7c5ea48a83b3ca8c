/**
 * A region image as a `data:image/png;base64,…` URL, the form OpenAI-compatible servers take in an `image_url`
 * content part. fast-png encodes in plain JavaScript, so the same code runs in Node (the evaluation harness), the
 * page and a worker, with no canvas. PNG is lossless: the server sees the pixels the local model would.
 */
import { encode } from 'fast-png';
import type { RgbaImage } from '../../slide/slide-source';
import { bytesToBase64 } from '../../ui/base64';

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
