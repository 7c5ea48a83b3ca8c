/** Decodes an item's image to the RGBA pixels the runtimes take (sharp, as the Node tests and CLIs do). */
import sharp from 'sharp';
import type { RgbaImage } from '../src/slide/slide-source';
import type { ImageRef } from './items';

export async function decodeImage(ref: ImageRef): Promise<RgbaImage> {
  const input = ref.kind === 'file' ? ref.path : Buffer.from(ref.bytes.buffer, ref.bytes.byteOffset, ref.bytes.byteLength);
  const { data, info } = await sharp(input).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** A short name for the record: the file path or the embedded image's name. */
export function imageName(ref: ImageRef): string {
  return ref.kind === 'file' ? ref.path : ref.name;
}
