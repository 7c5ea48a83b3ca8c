/** The image a feedback record keeps, as PNG bytes: a PNG blob as it is, RGBA pixels encoded by the browser's canvas. */
import type { RgbaImage } from '../../slide/slide-source';

export async function imageToPng(image: RgbaImage | Blob): Promise<Uint8Array> {
  if (image instanceof Blob) return blobBytes(image);
  const pixels = new ImageData(new Uint8ClampedArray(image.data), image.width, image.height);
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(image.width, image.height);
    canvas.getContext('2d')!.putImageData(pixels, 0, 0);
    return blobBytes(await canvas.convertToBlob({ type: 'image/png' }));
  }
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')!.putImageData(pixels, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('The browser could not encode the image as PNG.');
  return blobBytes(blob);
}

/** Blob.arrayBuffer where there is one; FileReader where not (Safari before 14, jsdom). */
function blobBytes(blob: Blob): Promise<Uint8Array> {
  if (typeof blob.arrayBuffer === 'function') return blob.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('The image could not be read.'));
    reader.readAsArrayBuffer(blob);
  });
}
