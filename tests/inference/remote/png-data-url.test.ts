/**
 * The region as a PNG data URL, decoded back by a real PNG decoder (sharp/libvips): the same pixels, RGB for an
 * opaque region and RGBA when some pixels are transparent.
 */
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { regionDataUrl, rgbaToPng, rgbaToPngDataUrl } from '../../../src/inference/remote/png-data-url';
import type { RgbaImage } from '../../../src/slide/slide-source';

async function readRgba(file: string): Promise<RgbaImage> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

async function decode(png: Uint8Array) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data), channels: (await sharp(png).metadata()).channels };
}

describe('rgbaToPngDataUrl', () => {
  it('writes an opaque H&E region as RGB that decodes to the same pixels', async () => {
    const region = await readRgba(path.resolve('models/tiny/patho-r1/golden/single_turn_image_0.png'));
    const url = await rgbaToPngDataUrl(region);
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const decoded = await decode(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'));
    expect(decoded.channels).toBe(3);
    expect([decoded.width, decoded.height]).toEqual([region.width, region.height]);
    expect(Buffer.compare(Buffer.from(decoded.data), Buffer.from(region.data))).toBe(0);
  });

  it('keeps transparency as RGBA, pixel for pixel', async () => {
    const width = 37;
    const height = 23; // odd sizes: no row lines up with anything
    const data = new Uint8ClampedArray(width * height * 4);
    for (let index = 0; index < data.length; index++) data[index] = (index * 97 + (index >> 7)) & 0xff;
    const decoded = await decode(await rgbaToPng({ width, height, data }));
    expect(decoded.channels).toBe(4);
    expect(Buffer.compare(Buffer.from(decoded.data), Buffer.from(data))).toBe(0);
  });

  it('encodes a region read again with the same pixels once, and a changed one again', async () => {
    const region = await readRgba(path.resolve('models/tiny/patho-r1/golden/single_turn_image_0.png'));
    const first = regionDataUrl(region);
    const readAgain = { ...region, data: region.data.slice() };
    expect(regionDataUrl(readAgain)).toBe(first); // the same promise: not encoded twice
    const changed = { ...region, data: region.data.slice() };
    changed.data[changed.data.length - 2] = (changed.data[changed.data.length - 2] ?? 0) ^ 1;
    const second = regionDataUrl(changed);
    expect(second).not.toBe(first);
    expect(await second).not.toBe(await first);
    expect(await second).toBe(await rgbaToPngDataUrl(changed));
  });

  it('refuses pixels that do not fill the image', async () => {
    await expect(rgbaToPng({ width: 4, height: 4, data: new Uint8ClampedArray(10) })).rejects.toThrow('a 4 x 4 image needs 64 RGBA bytes, not 10');
  });
});
