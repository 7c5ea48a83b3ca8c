/**
 * The browser's own image decoder (libjpeg-turbo/libpng inside Chromium), for workers: createImageBitmap
 * without colour-space conversion or premultiplication. `decodeToBitmap` stops there (the viewer draws the
 * bitmap itself: no readback, no copy); `decodeWithBrowser` reads it back to RGBA through an OffscreenCanvas
 * (regions, models, the tile cache).
 */
import type { RgbaImage } from './slide-source';

let canvas: OffscreenCanvas | null = null;
let context: OffscreenCanvasRenderingContext2D | null = null;

/** The decoded image as an ImageBitmap (transferable; the receiver closes it). */
export function decodeToBitmap(bytes: Uint8Array, type = 'image/jpeg'): Promise<ImageBitmap> {
  return createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
}

export async function decodeWithBrowser(bytes: Uint8Array, type = 'image/jpeg'): Promise<RgbaImage> {
  const bitmap = await decodeToBitmap(bytes, type);
  try {
    const { width, height } = bitmap;
    if (!canvas || !context || canvas.width < width || canvas.height < height) {
      canvas = new OffscreenCanvas(Math.max(width, canvas?.width ?? 0), Math.max(height, canvas?.height ?? 0));
      context = canvas.getContext('2d', { willReadFrequently: true });
      if (!context) throw new Error('no 2D canvas in this worker');
    }
    context.clearRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0);
    return { width, height, data: context.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
}
