/**
 * Slides written the way vendors write them (tests/fixtures/vendor, made by make_vendor_fixtures.py), opened
 * through openSlideNode and compared with what an independent reader (OpenSlide, tifffile) decoded from the
 * same file. Each case is a defect that once showed wrong pixels without an error.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError, type RgbaImage, type SlideSource } from '../../src/slide/slide-source';
import { resolveTileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { fixturePath } from '../fixtures';

const vendor = (name: string) => fixturePath(`vendor/${name}`);

async function decodeWithLibjpeg(bytes: Uint8Array): Promise<RgbaImage> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

async function referencePng(name: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(vendor(name)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
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

/** Reads a whole level and compares it with the reference reader's PNG of that level. */
async function levelAgainst(slide: SlideSource, level: number, png: string) {
  const reference = await referencePng(png);
  const { downsample } = slide.metadata.levels[level]!;
  const region = await slide.readRegion({ x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height }, slide.metadata.mppX === null ? null : slide.metadata.mppX * downsample);
  expect([region.width, region.height, region.level]).toEqual([reference.width, reference.height, level]);
  const diff = compare(region.data, reference.data);
  console.info(`${png}: mean |diff| ${diff.mean.toFixed(3)} (R/G/B ${diff.perChannel.map((d) => d.toFixed(2)).join('/')}), max ${diff.max}`);
  return diff;
}

describe('Aperio JPEG 2000 33003 with 2:1 subsampled chroma (as Aperio writes it), against OpenSlide', () => {
  const name = 'aperio-j2k-ycbcr-subsampled.svs';

  it('every level matches OpenSlide within JPEG 2000 rounding (was magenta/green: mean |diff| 28/51/44)', async () => {
    const slide = await openSlideNode({ path: vendor(name) });
    expect(slide.metadata).toMatchObject({ format: 'aperio-svs', compression: 'JPEG 2000 (Aperio 33003, YCbCr)', associatedImages: ['thumbnail'] });
    expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual([[256, 192], [128, 96]]);
    for (const level of [0, 1]) {
      const diff = await levelAgainst(slide, level, `${name}.level${level}.openslide.png`);
      expect(diff.mean).toBeLessThan(1);
      for (const channel of diff.perChannel) expect(channel).toBeLessThan(1.5);
    }
    await slide.close();
  });
});

describe('old-style JPEG (compression 6)', () => {
  it('is refused with a sentence that names it (it was said to be uncompressed subsampled YCbCr)', async () => {
    const error = await openSlideNode({ path: vendor('old-style-jpeg.tiff') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toBe(
      'old-style-jpeg.tiff uses old-style JPEG compression (TIFF code 6), which PathoLens cannot decode. Convert the slide to JPEG or JPEG 2000 tiles (e.g. with vips or bfconvert).',
    );
  });
});

describe('multi-page TIFFs whose first page is not the main image, against tifffile', () => {
  // JPEG tiles go through libjpeg-turbo (sharp), as they go through the browser's decoder in the app, with the
  // same tables and markers (jpeg-stream.ts); geotiff.js's pure-JS decoder upsamples chroma differently.
  const open = (path: string) => openSlideNode({ path }, { decodeTile: async (request) => decodeTile(await resolveTileRequest(request), { jpeg: decodeWithLibjpeg }) });

  it('Leica SCN: the main image is the one the XML names, not the macro image in the first pages', async () => {
    const name = 'leica-scn-layout.scn';
    const slide = await open(vendor(name));
    expect(slide.metadata).toMatchObject({ format: 'leica-scn', vendor: 'Leica', objectivePower: 20, associatedImages: ['macro'] });
    expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual([[192, 128], [96, 64], [48, 32]]);
    expect(slide.metadata.mppX).toBeCloseTo(0.5, 6);
    for (const level of [0, 2]) expect((await levelAgainst(slide, level, `${name}.level${level}.tifffile.png`)).max).toBeLessThanOrEqual(1);
    const macro = await slide.readAssociatedImage('macro');
    expect([macro.width, macro.height]).toEqual([160, 64]);
    await slide.close();
  });

  it('Ventana BIF: label and thumbnail first, the pyramid from the "level=N" pages, scale from the iScan XMP', async () => {
    const name = 'ventana-bif-layout.bif';
    const slide = await open(vendor(name));
    expect(slide.metadata).toMatchObject({ format: 'ventana-bif', vendor: 'Ventana', objectivePower: 40, associatedImages: ['label', 'thumbnail'] });
    expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual([[176, 144], [88, 72], [44, 36]]);
    expect(slide.metadata.mppX).toBeCloseTo(0.2325, 6);
    expect(slide.metadata.properties['ventana.ScannerModel']).toBe('VENTANA DP 200');
    for (const level of [0, 2]) expect((await levelAgainst(slide, level, `${name}.level${level}.tifffile.png`)).max).toBeLessThanOrEqual(1);
    const label = await slide.readAssociatedImage('label');
    expect([label.width, label.height]).toEqual([64, 64]);
    await slide.close();
  });

  it('a generic TIFF whose first page is a small overview takes the largest page as the main image', async () => {
    const { TiffWriter, MemorySink, patchFirstIfd } = await import('../../src/slide/tiff-writer');
    const sink = new MemorySink();
    const writer = new TiffWriter(sink);
    const overview = writer.addPage({ width: 40, height: 20, tileWidth: 16, tileHeight: 16, compression: 1, photometric: 2, samplesPerPixel: 3 });
    const main = writer.addPage({ width: 80, height: 40, tileWidth: 16, tileHeight: 16, compression: 1, photometric: 2, samplesPerPixel: 3 });
    for (const [page, tiles, value] of [[overview, 3 * 2, 10], [main, 5 * 3, 200]] as const) {
      for (let i = 0; i < tiles; i++) writer.addTile(page, new Uint8Array(16 * 16 * 3).fill(value));
    }
    const first = writer.finish();
    const bytes = sink.bytes();
    patchFirstIfd(bytes, first);
    const slide = await openSlideNode({ name: 'overview-first.tiff', bytes });
    expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual([[80, 40]]);
    expect(Array.from((await slide.readTile(0, 0, 0)).data.subarray(0, 4))).toEqual([200, 200, 200, 255]);
    await slide.close();
  });
});
