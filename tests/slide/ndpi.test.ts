/**
 * Hamamatsu NDPI (tests/fixtures/ndpi, written by make_ndpi_fixtures.py the way NDP.scan lays it out), compared
 * level by level with OpenSlide 4's read_region; a tile reads only the MCU rows it covers; damaged files give
 * SlideError sentences that name NDPI and the part.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { bufferSource, type ByteSource } from '../../src/slide/byte-source';
import { openSlideFrom } from '../../src/slide/open-slide-core';
import { nodeDecoders, openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError, type SlideSource } from '../../src/slide/slide-source';
import { resolveTileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { fixturePath } from '../fixtures';
import { compare, decodeWithLibjpeg, failure } from './fixtures';
import { expectMutationsRefusedOrRead } from './fuzz';

const NDPI = 'ndpi/hamamatsu-layout.ndpi';
const note = JSON.parse(readFileSync(fixturePath(`${NDPI}.json`), 'utf8')) as {
  levels: { width: number; height: number; png: string }[];
  mpp: [number, number];
  objectivePower: number;
  associated: Record<string, [number, number]>;
};
const libjpeg = {
  decodeTile: async (request: Parameters<typeof resolveTileRequest>[0]) => decodeTile(await resolveTileRequest(request), { jpeg: decodeWithLibjpeg }),
};

async function levelDiff(slide: SlideSource, level: number) {
  const { data, info } = await sharp(fixturePath(`ndpi/${note.levels[level]!.png}`))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const region = await slide.readRegion(
    { x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height },
    slide.metadata.mppX! * slide.metadata.levels[level]!.downsample,
  );
  expect([region.width, region.height, region.level]).toEqual([info.width, info.height, level]);
  const diff = compare(region.data, data);
  console.info(`NDPI level ${level}: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
  return diff;
}

/** The fixture's bytes in a ByteSource that counts what is read. */
function countingSource(bytes: Uint8Array): ByteSource & { bytesRead: number } {
  const inner = bufferSource('counted.ndpi', bytes);
  const source = {
    ...inner,
    bytesRead: 0,
    read: async (offset: number, length: number, signal?: AbortSignal) => {
      const data = await inner.read(offset, length, signal);
      source.bytesRead += data.length;
      return data;
    },
  };
  return source;
}

describe('Hamamatsu NDPI against OpenSlide', () => {
  it('levels, scale, magnification, macro and properties are NDPI’s own', async () => {
    const slide = await openSlideNode({ path: fixturePath(NDPI) });
    expect(slide.metadata.format).toBe('hamamatsu-ndpi');
    expect(slide.metadata.vendor).toBe('Hamamatsu');
    expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual(note.levels.map((l) => [l.width, l.height]));
    expect(slide.metadata.mppX).toBeCloseTo(note.mpp[0], 6);
    expect(slide.metadata.objectivePower).toBe(note.objectivePower);
    expect(slide.metadata.properties['hamamatsu.Product']).toBe('NanoZoomer-XR');
    expect(slide.metadata.properties['hamamatsu.XOffsetFromSlideCentre']).toBe('-1234567');
    expect(slide.metadata.associatedImages).toEqual(['macro']);
    const macro = await slide.readAssociatedImage('macro');
    expect([macro.width, macro.height]).toEqual(note.associated.macro);
    await slide.close();
  });

  it('every level matches OpenSlide (libjpeg-turbo as in browsers): mean |diff| <= 0.05', async () => {
    // OpenSlide decodes each 128 x 8 restart interval apart, PathoLens 256-px tiles of them: chroma upsampling
    // differs only on the pixels along interval edges. Levels without restart markers are identical.
    const slide = await openSlideNode({ path: fixturePath(NDPI) }, libjpeg);
    for (let level = 0; level < note.levels.length; level++) {
      const diff = await levelDiff(slide, level);
      expect(diff.mean).toBeLessThanOrEqual(0.05);
      expect(diff.max).toBeLessThanOrEqual(24);
    }
    await slide.close();
  });

  it("through Node's pure-JS JPEG decoder every level stays within mean |diff| 2 of OpenSlide", async () => {
    const slide = await openSlideNode({ path: fixturePath(NDPI) });
    for (let level = 0; level < note.levels.length; level++) expect((await levelDiff(slide, level)).mean).toBeLessThanOrEqual(2);
    await slide.close();
  });

  it('a level-0 tile reads only the MCU rows it covers, never the level', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath(NDPI)));
    const source = countingSource(bytes);
    const slide = await openSlideFrom(source, { ...nodeDecoders, fetch: globalThis.fetch, tileCacheBytes: 0 });
    const level0 = slide.metadata.levels[0]!;
    expect([level0.tileWidth, level0.tileHeight]).toEqual([256, 256]);
    const before = source.bytesRead;
    await slide.readTile(0, 1, 1);
    const tileBytes = source.bytesRead - before;
    // The whole level-0 JPEG is most of the file; tile (1, 1) covers MCU rows 32-47 of 48 (2 of 4 intervals a row):
    // small spans are read in one go with the neighbouring intervals, so about a fifth of the file.
    console.info(`NDPI level-0 tile (1, 1): ${tileBytes} bytes read of a ${bytes.length}-byte file`);
    expect(tileBytes).toBeGreaterThan(0);
    expect(tileBytes).toBeLessThan(bytes.length / 4);
    await slide.close();
  });
});

describe('damaged NDPI files', () => {
  const original = new Uint8Array(readFileSync(fixturePath(NDPI)));

  it('a level without its restart-interval index is refused naming NDPI and the level', async () => {
    const bytes = original.slice();
    // The first McuStarts entry (tag 65426 = 0xff92, type LONG) is level 0's: rename it to an unused tag.
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x92, 0xff, 0x04, 0x00]));
    bytes[at] = 0x99;
    const error = await failure(openSlideNode({ name: 'no-index.ndpi', bytes }));
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(/Hamamatsu NDPI slide whose level of page 1 \(20x\) has no usable restart-interval index/);
  });

  it('a truncated file fails with a sentence, or shows the complete levels it still holds, correctly', async () => {
    for (const fraction of [0.02, 0.3, 0.7, 0.99]) {
      const cut = original.slice(0, Math.floor(original.length * fraction));
      const slide = await openSlideNode({ name: 'cut.ndpi', bytes: cut }).catch((error: unknown) => error);
      if (!(slide instanceof Object && 'metadata' in slide)) {
        expect(slide, `cut at ${fraction}`).toBeInstanceOf(SlideError);
        continue;
      }
      // Each page's IFD follows its JPEG: a cut file may still hold whole levels, which must read as they are.
      const opened = slide as SlideSource;
      expect(opened.metadata.levels[0]!.width).toBe(note.levels[0]!.width);
      expect((await levelDiff(opened, 0)).mean, `cut at ${fraction}`).toBeLessThanOrEqual(2);
      await opened.close();
    }
  });

  it('mutated files open, or fail with a SlideError; what opens reads its tiles or fails the same way', async () => {
    // IFDs and tag arrays sit after the JPEGs: aim at the tail.
    await expectMutationsRefusedOrRead({ files: [original], name: 'fuzzed.ndpi', aim: (length) => [length - 2048, length], words: [0xffd0, 0xd9ff] });
  }, 120_000);
});
