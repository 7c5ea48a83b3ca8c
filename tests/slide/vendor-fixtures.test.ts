/**
 * Slides written the way vendors write them (tests/fixtures/vendor, made by make_vendor_fixtures.py), opened
 * through openSlideNode and compared with what an independent reader (OpenSlide, tifffile) decoded from the
 * same file. Each case is a defect that once showed wrong pixels without an error.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError, type SlideSource } from '../../src/slide/slide-source';
import { resolveTileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { fixturePath } from '../fixtures';
import { compare, decodeWithLibjpeg } from './fixtures';

const vendor = (name: string) => fixturePath(`vendor/${name}`);

async function referencePng(name: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(vendor(name)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Reads a whole level and compares it with the reference reader's PNG of that level. */
async function levelAgainst(slide: SlideSource, level: number, png: string) {
  const reference = await referencePng(png);
  const { downsample } = slide.metadata.levels[level]!;
  const region = await slide.readRegion(
    { x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height },
    slide.metadata.mppX === null ? null : slide.metadata.mppX * downsample,
  );
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
    expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual([
      [256, 192],
      [128, 96],
    ]);
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
  const open = (path: string) =>
    openSlideNode({ path }, { decodeTile: async (request) => decodeTile(await resolveTileRequest(request), { jpeg: decodeWithLibjpeg }) });

  it('Ventana BIF: label and thumbnail first, the pyramid from the "level=N" pages, scale from the iScan XMP', async () => {
    const name = 'ventana-bif-layout.bif';
    const slide = await open(vendor(name));
    expect(slide.metadata).toMatchObject({ format: 'ventana-bif', vendor: 'Ventana', objectivePower: 40, associatedImages: ['label', 'thumbnail'] });
    expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual([
      [176, 144],
      [88, 72],
      [44, 36],
    ]);
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
    for (const [page, tiles, value] of [
      [overview, 3 * 2, 10],
      [main, 5 * 3, 200],
    ] as const) {
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

describe('fluorescence and high-bit-depth images, rendered as Viv / QuPath do, against tifffile', () => {
  /** Expected channels from the generator's note (names and colours from the OME-XML, windows from tifffile's data). */
  const note = (name: string) =>
    JSON.parse(readFileSync(vendor(`${name}.json`), 'utf8')) as { channels: { name: string; color: number[]; window: number[]; min: number; max: number }[] };

  it.each([
    ['ome-fluorescence-uint16-12bit.ome.tiff', 'uint16'],
    ['ome-fluorescence-int8.ome.tiff', 'int8'],
  ])('%s: every channel with its OME name and colour, windowed from the data, added into RGB', async (name, type) => {
    const slide = await openSlideNode({ path: vendor(name) });
    const m = slide.metadata;
    expect(m.format).toBe('ome-tiff');
    expect(m.levels.map((l) => [l.width, l.height])).toEqual([
      [128, 96],
      [64, 48],
      [32, 24],
    ]);
    expect(m.mppX).toBeCloseTo(0.325, 6);
    const expected = note(name).channels;
    expect(m.channels).toEqual(
      expected.map((c) => ({ name: c.name, color: c.color, sampleType: type, range: [expect.any(Number), expect.any(Number)], window: c.window })),
    );
    for (const level of [0, 2]) {
      const diff = await levelAgainst(slide, level, `${name}.level${level}.tifffile-composite.png`);
      expect(diff.max).toBeLessThanOrEqual(1);
      expect(diff.mean).toBeLessThan(0.01);
    }
    await slide.close();
  });

  it('12-bit data in 16-bit samples (plain TIFF) is windowed to its own range, not cut to its high byte', async () => {
    const name = 'grey-12bit-in-16bit.tiff';
    const slide = await openSlideNode({ path: vendor(name) });
    expect(slide.metadata.channels).toMatchObject([{ name: 'Intensity', color: [255, 255, 255], sampleType: 'uint16' }]);
    const diff = await levelAgainst(slide, 0, `${name}.level0.tifffile-composite.png`);
    expect(diff.max).toBeLessThanOrEqual(1);
    const region = await slide.readRegion({ x: 0, y: 0, width: 128, height: 96 }, null);
    expect(Math.max(...region.data.filter((_, i) => i % 4 === 0))).toBe(255); // was at most 15 (4095 >> 8)
    await slide.close();
  });

  it('channels can be hidden and re-windowed; tiles read afterwards show it', async () => {
    const slide = await openSlideNode({ path: vendor('ome-fluorescence-uint16-12bit.ome.tiff') });
    const all = await slide.readTile(2, 0, 0);
    const blueOf = (image: { data: ArrayLike<number> }) =>
      Array.from(image.data)
        .filter((_, i) => i % 4 === 2)
        .reduce((a, b) => a + b, 0);
    expect(blueOf(all)).toBeGreaterThan(0);
    slide.setChannelDisplay!(0, { visible: false }); // DAPI, blue
    expect(slide.channelDisplay!().map((d) => d.visible)).toEqual([false, true, true]);
    expect(blueOf(await slide.readTile(2, 0, 0))).toBe(0);
    slide.setChannelDisplay!(0, { visible: true, window: [0, 65535] });
    const dim = blueOf(await slide.readTile(2, 0, 0));
    expect(dim).toBeGreaterThan(0);
    expect(dim).toBeLessThan(blueOf(all) / 4);
    await slide.close();
  });

  it('colour slides have no channels: their pixels are returned as stored', async () => {
    const slide = await openSlideNode({ path: fixturePath('small.svs') });
    expect(slide.metadata.channels).toBeUndefined();
    await slide.close();
  });
});
