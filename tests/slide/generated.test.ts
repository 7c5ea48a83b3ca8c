/**
 * Larger slides made in the test: tiled pyramids in every compression the reader claims (sharp/libtiff for
 * LZW, Deflate, JPEG, WebP, PackBits, none; our writer for JPEG 2000 33003/33005 and zstd), compared pixel
 * by pixel with the picture they were made from.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError } from '../../src/slide/slide-source';
import { MemorySink, patchFirstIfd, TiffWriter } from '../../src/slide/tiff-writer';
import { cutTile, encodeJ2k, halve, hePicture, meanAbsDiff, pyramidTiff, rgbToYcbcr, sharpTiff, toRgba, zstdRawFrame, type Rgb } from './fixtures';

const picture = hePicture(1100, 900);
const level1 = halve(picture);
const level2 = halve(level1);

async function open(name: string, bytes: Uint8Array) {
  return openSlideNode({ name, bytes });
}

async function wholeLevel0(name: string, bytes: Uint8Array) {
  const slide = await open(name, bytes);
  const region = await slide.readRegion({ x: 0, y: 0, width: picture.width, height: picture.height }, null);
  return { slide, region };
}

describe('sharp/libtiff tiled pyramids', () => {
  it.each([
    ['none', 0],
    ['lzw', 0],
    ['deflate', 0],
    ['packbits', 0],
    ['webp', 4],
    ['jpeg', 4],
  ] as const)('%s: 0.25 µm/px, several levels, level 0 pixels equal the source (mean error <= %s)', async (compression, tolerance) => {
    const bytes = await sharpTiff(picture, {
      compression,
      tile: true,
      tileWidth: 256,
      tileHeight: 256,
      pyramid: true,
      quality: 92,
      predictor: compression === 'lzw' || compression === 'deflate' ? 'horizontal' : 'none',
      xres: 4000, // pixels per mm
      yres: 4000,
      resolutionUnit: 'cm',
    });
    const { slide, region } = await wholeLevel0(`${compression}.tiff`, bytes);
    const m = slide.metadata;
    expect(m.levels.map((l) => [l.width, l.height])).toEqual([
      [1100, 900],
      [550, 450],
      [275, 225],
      [137, 112],
    ]);
    expect(m.mppX).toBeCloseTo(0.25, 6);
    const expected = toRgba(picture);
    if (tolerance === 0) expect(Buffer.from(region.data).equals(Buffer.from(expected))).toBe(true);
    else expect(meanAbsDiff(region.data, expected)).toBeLessThan(tolerance);
    // Level 1 matches libvips's own decode of that page.
    const page1 = await sharp(Buffer.from(bytes), { page: 1 }).ensureAlpha().raw().toBuffer();
    const l1 = await slide.readRegion({ x: 0, y: 0, width: 1100, height: 900 }, 0.5);
    expect([l1.width, l1.height, l1.level]).toEqual([550, 450, 1]);
    expect(meanAbsDiff(l1.data, page1)).toBeLessThan(tolerance === 0 ? 0.001 : 1.5);
    await slide.close();
  });
});

describe('our writer: Aperio-style JPEG 2000 and zstd tiles', () => {
  const levels: Rgb[] = [picture, level1, level2];
  const aperio = (c: number) => `Aperio Image Library v12.0.15 \r\n1100x900 (256x256) J2K/KDU Q=70|AppMag = 40|MPP = 0,2500|Compression = ${c}`;

  it('33005 (RGB JPEG 2000): lossless tiles decode to the exact source pixels', async () => {
    const bytes = await pyramidTiff(levels, 256, { compression: 33005, photometric: 2, samplesPerPixel: 3, description: aperio(33005) }, (t) =>
      encodeJ2k(t, 256, 256),
    );
    const { slide, region } = await wholeLevel0('j2k-rgb.svs', bytes);
    expect(slide.metadata.format).toBe('aperio-svs');
    expect(slide.metadata.compression).toBe('JPEG 2000 (Aperio 33005, RGB)');
    expect(slide.metadata.mppX).toBe(0.25);
    expect(slide.metadata.objectivePower).toBe(40);
    expect(Buffer.from(region.data).equals(Buffer.from(toRgba(picture)))).toBe(true);
    const low = await slide.readRegion({ x: 0, y: 0, width: 1100, height: 900 }, 1);
    expect([low.width, low.height, low.level]).toEqual([275, 225, 2]);
    expect(Buffer.from(low.data).equals(Buffer.from(toRgba(level2)))).toBe(true);
    await slide.close();
  });

  it('33003 (YCbCr JPEG 2000): converted back to RGB within rounding', async () => {
    const bytes = await pyramidTiff(levels, 256, { compression: 33003, photometric: 6, samplesPerPixel: 3, description: aperio(33003) }, (t) =>
      encodeJ2k(rgbToYcbcr(t), 256, 256),
    );
    const { slide, region } = await wholeLevel0('j2k-ycc.svs', bytes);
    expect(slide.metadata.compression).toBe('JPEG 2000 (Aperio 33003, YCbCr)');
    const expected = toRgba(picture);
    expect(meanAbsDiff(region.data, expected)).toBeLessThan(1);
    let max = 0;
    for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(region.data[i]! - expected[i]!));
    expect(max).toBeLessThanOrEqual(3);
    await slide.close();
  });

  it('zstd tiles', async () => {
    const bytes = await pyramidTiff([picture], 256, { compression: 50000, photometric: 2, samplesPerPixel: 3 }, zstdRawFrame);
    const { slide, region } = await wholeLevel0('zstd.tiff', bytes);
    expect(slide.metadata.compression).toBe('zstd');
    expect(Buffer.from(region.data).equals(Buffer.from(toRgba(picture)))).toBe(true);
    await slide.close();
  });

  it('an unsupported compression is named in the sentence', async () => {
    const bytes = await pyramidTiff([level2], 256, { compression: 34887, photometric: 2, samplesPerPixel: 3 }, (t) => t);
    const error = await open('lerc.tiff', bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(/LERC compression \(TIFF code 34887\)/);
  });
});

describe('readRegion across levels', () => {
  it('reads between levels from the more detailed one and area-averages', async () => {
    const bytes = await sharpTiff(picture, {
      compression: 'deflate',
      tile: true,
      tileWidth: 256,
      tileHeight: 256,
      pyramid: true,
      xres: 4000,
      yres: 4000,
      resolutionUnit: 'cm',
    });
    const slide = await open('region.tiff', bytes);
    // 0.75 µm/px = downsample 3: from level 1 (downsample 2), resampled by 1.5.
    const rect = { x: 150, y: 120, width: 600, height: 450 };
    const region = await slide.readRegion(rect, 0.75);
    expect([region.width, region.height, region.level, region.downsample, region.mpp]).toEqual([200, 150, 1, 2, 0.75]);
    // Reference: libvips's area-averaging shrink of the same rectangle of the source picture.
    const reference = await sharp(picture.data, { raw: { width: 1100, height: 900, channels: 3 } })
      .extract({ left: 150, top: 120, width: 600, height: 450 })
      .resize(200, 150, { kernel: 'linear' })
      .ensureAlpha()
      .raw()
      .toBuffer();
    expect(meanAbsDiff(region.data, reference)).toBeLessThan(6);
    // Outside the slide is white glass; a zero-area region is refused with a sentence.
    const edge = await slide.readRegion({ x: 1050, y: 0, width: 100, height: 10 }, null);
    expect(Array.from(edge.data.subarray((10 * 100 - 1) * 4, 10 * 100 * 4))).toEqual([255, 255, 255, 255]);
    await expect(slide.readRegion({ x: 0, y: 0, width: 0, height: 5 }, null)).rejects.toBeInstanceOf(SlideError);
    await expect(slide.readRegion({ x: 0, y: 0, width: 100000, height: 100000 }, null)).rejects.toThrow(/too large/);
    await slide.close();
  });
});

describe('OME-TIFF', () => {
  const ome = (unit: string, size: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Instrument ID="Instrument:0"><Objective ID="Objective:0" NominalMagnification="20"/></Instrument><Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYCZT" Type="uint8" SizeX="1100" SizeY="900" SizeC="3" SizeZ="1" SizeT="2" PhysicalSizeX="${size}" PhysicalSizeXUnit="${unit}" PhysicalSizeY="${size}" PhysicalSizeYUnit="${unit}"><Channel ID="Channel:0:0" SamplesPerPixel="3"/></Pixels></Image></OME>`;

  it('pyramid in SubIFDs, physical size in nm with a decimal comma, other planes not taken for levels', async () => {
    const bytes = await pyramidTiff(
      [picture, level1, level2],
      256,
      { compression: 8, photometric: 2, samplesPerPixel: 3, description: ome('nm', '500,0') },
      (t) => new Uint8Array(deflateSync(t)),
      { subIfds: true, extraPages: 1 },
    );
    const slide = await open('slide.ome.tiff', bytes);
    const m = slide.metadata;
    expect(m.format).toBe('ome-tiff');
    expect(m.levels.map((l) => [l.width, l.height])).toEqual([
      [1100, 900],
      [550, 450],
      [275, 225],
    ]);
    expect(m.mppX).toBeCloseTo(0.5);
    expect(m.objectivePower).toBe(20);
    const low = await slide.readRegion({ x: 0, y: 0, width: 1100, height: 900 }, 2);
    expect([low.width, low.level]).toEqual([275, 2]);
    expect(Buffer.from(low.data).equals(Buffer.from(toRgba(level2)))).toBe(true);
    await slide.close();
  });

  it('without a physical size the scale is unknown, and reading at a resolution says so', async () => {
    const bytes = await pyramidTiff([level2], 256, { compression: 1, photometric: 2, samplesPerPixel: 3, description: ome('µm', '') }, (t) => t);
    const slide = await open('noscale.ome.tiff', bytes);
    expect(slide.metadata.mppX).toBeNull();
    await expect(slide.readRegion({ x: 0, y: 0, width: 10, height: 10 }, 0.5)).rejects.toThrow(/does not say its scale/);
    const full = await slide.readRegion({ x: 0, y: 0, width: 10, height: 10 }, null);
    expect(full.mpp).toBeNull();
    await slide.close();
  });
});

describe('separate sample planes (PlanarConfiguration 2)', () => {
  it('Deflate-compressed planes are interleaved back into RGB', async () => {
    const tile = 256;
    const sink = new MemorySink();
    const writer = new TiffWriter(sink);
    const page = writer.addPage({
      width: level1.width,
      height: level1.height,
      tileWidth: tile,
      tileHeight: tile,
      compression: 8,
      photometric: 2,
      samplesPerPixel: 3,
      planar: 2,
    });
    const columns = Math.ceil(level1.width / tile);
    const rows = Math.ceil(level1.height / tile);
    for (let sample = 0; sample < 3; sample++)
      for (let row = 0; row < rows; row++)
        for (let col = 0; col < columns; col++) {
          const rgb = cutTile(level1, col, row, tile);
          const plane = new Uint8Array(tile * tile);
          for (let i = 0; i < plane.length; i++) plane[i] = rgb[i * 3 + sample]!;
          writer.addTile(page, new Uint8Array(deflateSync(plane)));
        }
    const first = writer.finish();
    const bytes = sink.bytes();
    patchFirstIfd(bytes, first);
    const slide = await open('planar.tiff', bytes);
    const region = await slide.readRegion({ x: 0, y: 0, width: level1.width, height: level1.height }, null);
    expect(Buffer.from(region.data).equals(Buffer.from(toRgba(level1)))).toBe(true);
    await slide.close();
  });
});

describe('big-endian ("MM") TIFF with 16-bit grey samples', () => {
  it('reads tags, offsets and 16-bit samples in the file byte order', async () => {
    const width = 300;
    const height = 200;
    const tile = 128;
    const grey = (x: number, y: number) => (x * 211 + y * 97) % 65536;
    const sink = new MemorySink();
    const writer = new TiffWriter(sink, { bigEndian: true });
    const page = writer.addPage({
      width,
      height,
      tileWidth: tile,
      tileHeight: tile,
      compression: 8,
      photometric: 1,
      samplesPerPixel: 1,
      bitsPerSample: 16,
      resolutionPerCm: 20_000,
    });
    for (let row = 0; row < Math.ceil(height / tile); row++)
      for (let col = 0; col < Math.ceil(width / tile); col++) {
        const block = new Uint8Array(tile * tile * 2);
        const view = new DataView(block.buffer);
        for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) view.setUint16((y * tile + x) * 2, grey(col * tile + x, row * tile + y), false);
        writer.addTile(page, new Uint8Array(deflateSync(block)));
      }
    const first = writer.finish();
    const bytes = sink.bytes();
    patchFirstIfd(bytes, first);
    expect(String.fromCharCode(bytes[0]!, bytes[1]!)).toBe('MM');
    const slide = await open('be16.tiff', bytes);
    expect([slide.metadata.width, slide.metadata.height]).toEqual([width, height]);
    expect(slide.metadata.mppX).toBeCloseTo(0.5);
    const region = await slide.readRegion({ x: 0, y: 0, width, height }, null);
    for (const [x, y] of [
      [0, 0],
      [299, 199],
      [130, 5],
      [17, 150],
    ] as const) {
      const v = grey(x, y) >> 8;
      expect(Array.from(region.data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4))).toEqual([v, v, v, 255]);
    }
    await slide.close();
  });
});

describe('plain images', () => {
  it('a JPEG opens as a one-image slide with reduced levels made on demand and no scale', async () => {
    const jpeg = new Uint8Array(
      await sharp(picture.data, { raw: { width: 1100, height: 900, channels: 3 } })
        .jpeg({ quality: 95 })
        .toBuffer(),
    );
    const slide = await open('photo.jpg', jpeg);
    expect(slide.metadata).toMatchObject({ format: 'image', compression: 'JPEG', mppX: null, width: 1100, height: 900 });
    expect(slide.metadata.levels.map((l) => l.width)).toEqual([1100, 550, 275]);
    const region = await slide.readRegion({ x: 0, y: 0, width: 1100, height: 900 }, null);
    expect(meanAbsDiff(region.data, toRgba(picture))).toBeLessThan(3);
    const tile = await slide.readTile(2, 0, 0);
    expect([tile.width, tile.height]).toEqual([275, 225]);
    expect(meanAbsDiff(tile.data, toRgba(level2))).toBeLessThan(3);
    await expect(slide.readAssociatedImage('label')).rejects.toBeInstanceOf(SlideError);
    await slide.close();
  });
});
