/**
 * OpenSlide Python's test slides (tests/fixtures), opened through openSlideNode (the code slide-info runs):
 * small.svs (RGB JPEG with shared tables and component ids that fool YCbCr-guessing decoders) and boxes.tiff
 * (Deflate pyramid).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError } from '../../src/slide/slide-source';
import { parseTiff, tagBytes } from '../../src/slide/tiff-structure';
import { nodeFileSource } from '../../src/slide/node-file-source';

import { FIXTURES, fixturePath } from '../fixtures';

/** Mean and max absolute RGB difference between two RGBA buffers of equal size. */
function difference(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    max = Math.max(max, d);
    n++;
  }
  return { mean: sum / n, max };
}

async function sharpRgba(input: Uint8Array | string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(input).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

describe('OpenSlide Python test slides', () => {
  it('small.svs: Aperio metadata', async () => {
    const slide = await openSlideNode({ path: fixturePath('small.svs') });
    const m = slide.metadata;
    expect(m.format).toBe('aperio-svs');
    expect(m.vendor).toBe('Aperio');
    expect([m.width, m.height]).toEqual([16, 16]);
    expect(m.levels).toEqual([{ width: 16, height: 16, downsample: 1, tileWidth: 64, tileHeight: 64 }]);
    expect(m.mppX).toBeCloseTo(0.499, 6);
    expect(m.mppY).toBeCloseTo(0.499, 6);
    expect(m.objectivePower).toBe(20);
    expect(m.compression).toBe('JPEG');
    expect(m.associatedImages).toEqual(['thumbnail']);
    expect(m.properties['aperio.Filename']).toBe('CMU-1');
    await slide.close();
  });

  it('small.svs: pixels equal a decode that keeps RGB as RGB (libjpeg with an Adobe no-transform marker)', async () => {
    const path = fixturePath('small.svs');
    const slide = await openSlideNode({ path });
    const tile = await slide.readTile(0, 0, 0);
    expect([tile.width, tile.height]).toEqual([16, 16]);

    // Reference built here by hand from the file's bytes: tables + tile, APP14 transform 0, decoded by libjpeg.
    const file = await parseTiff(await nodeFileSource(path));
    const ifd = file.ifds[0]!;
    const tables = (await tagBytes(file, ifd, 347))!;
    const offset = (await tagBytes(file, ifd, 324))!;
    const count = (await tagBytes(file, ifd, 325))!;
    const le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
    const body = (await file.source.read(le(offset), le(count))).subarray(2);
    const app14 = [0xff, 0xee, 0, 14, 0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 0];
    const jpeg = Uint8Array.from([0xff, 0xd8, ...app14, ...tables.subarray(2, tables.length - 2), ...body]);
    const reference = await sharpRgba(jpeg);
    const cropped = new Uint8Array(16 * 16 * 4);
    for (let y = 0; y < 16; y++) cropped.set(reference.data.subarray(y * reference.width * 4, (y * reference.width + 16) * 4), y * 64);
    const diff = difference(tile.data, cropped);
    expect(diff.mean).toBeLessThan(1.5);
    expect(diff.max).toBeLessThanOrEqual(12);

    // And the wrong (YCbCr-guessing) decode is far off, so this comparison can fail.
    const naive = await sharpRgba(Uint8Array.from([0xff, 0xd8, ...tables.subarray(2, tables.length - 2), ...body]));
    const wrong = new Uint8Array(16 * 16 * 4);
    for (let y = 0; y < 16; y++) wrong.set(naive.data.subarray(y * naive.width * 4, (y * naive.width + 16) * 4), y * 64);
    expect(difference(tile.data, wrong).mean).toBeGreaterThan(20);
    await file.source.close();

    // readRegion at level-0 resolution returns the same pixels.
    const region = await slide.readRegion({ x: 0, y: 0, width: 16, height: 16 }, null);
    expect(Array.from(region.data)).toEqual(Array.from(tile.data));
    const thumb = await slide.readAssociatedImage('thumbnail');
    expect([thumb.width, thumb.height]).toEqual([16, 16]);
    await slide.close();
  });

  it('boxes.tiff: levels, scale from resolution tags, and level 0 equals boxes.png', async () => {
    const slide = await openSlideNode({ path: fixturePath('boxes.tiff') });
    const m = slide.metadata;
    expect(m.format).toBe('tiff');
    expect([m.width, m.height]).toEqual([300, 250]);
    expect(m.levels.map((l) => [l.width, l.height])).toEqual([
      [300, 250],
      [150, 125],
      [75, 62],
      [37, 31],
    ]);
    expect(m.levels.map((l) => l.downsample)).toEqual([1, 2, 4, 300 / 37]);
    expect(m.compression).toBe('Deflate');
    // 14861707/524288 pixels per centimetre (72 dpi, libvips's default) = 352.78 µm per pixel.
    expect(m.mppX).toBeCloseTo(10000 / (14861707 / 524288), 6);
    expect(m.scaleNote).toMatch(/72 pixels per inch, 352\.8 µm per pixel.*may be wrong/);
    const region = await slide.readRegion({ x: 0, y: 0, width: 300, height: 250 }, null);
    const png = await sharpRgba(fixturePath('boxes.png'));
    expect([png.width, png.height]).toEqual([300, 250]);
    expect(Array.from(region.data)).toEqual(Array.from(png.data));
    // A half-resolution region comes from level 1 and is close to an area average of level 0.
    const half = await slide.readRegion({ x: 0, y: 0, width: 300, height: 250 }, m.mppX! * 2);
    expect([half.width, half.height, half.level]).toEqual([150, 125, 1]);
    await slide.close();
  });

  it.each([
    ['unopenable.tiff', /unknown compression \(TIFF code 52479\)/],
    ['unreadable.svs', /could not be decoded.*damaged/],
    ['boxes.png.missing', /no such file/],
  ])('%s fails with a SlideError sentence', async (name, pattern) => {
    const error = await openSlideNode({ path: resolve(FIXTURES, name) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlideError);
    expect((error as SlideError).message).toMatch(pattern);
    expect((error as SlideError).message).toMatch(/\.$/);
  });

  it('slide-info CLI prints the same metadata, and a sentence with exit status 2 for a bad file', async () => {
    const run = promisify(execFile);
    const root = resolve(import.meta.dirname, '../..');
    const tsx = resolve(root, 'node_modules/.bin/tsx');
    const { stdout } = await run(tsx, ['cli/slide-info.ts', fixturePath('small.svs')], { cwd: root });
    const printed = JSON.parse(stdout);
    expect(printed.mppX).toBeCloseTo(0.499);
    expect(printed.levels).toHaveLength(1);
    const failure = await run(tsx, ['cli/slide-info.ts', fixturePath('unopenable.tiff')], { cwd: root }).catch((e: unknown) => e);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toMatch(/^unopenable\.tiff uses an unknown compression/);
  });
});
