/**
 * Hamamatsu NDPI past 4 GiB (NDPI's 64-bit offset extension): a sparse file written at test time
 * (tests/fixtures/ndpi-4gb.ts) whose level 0 runs past 4 GiB (McuStartsHighBytes) and whose other levels, macro,
 * IFDs and tag arrays all lie past 4 GiB. Every level compared with OpenSlide 4's read_region (tifffile reads the
 * same pixels); damaged variants (no high bits, truncated) are refused with sentences naming NDPI and the part.
 */
import { closeSync, openSync, readSync, truncateSync, writeSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError, type SlideSource } from '../../src/slide/slide-source';
import { resolveTileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { makeBigNdpi, type BigNdpi, type BigNdpiRegion } from '../fixtures/ndpi-4gb';
import { compare, decodeWithLibjpeg, failure } from './fixtures';

const libjpeg = {
  decodeTile: async (request: Parameters<typeof resolveTileRequest>[0]) => decodeTile(await resolveTileRequest(request), { jpeg: decodeWithLibjpeg }),
};

let big: BigNdpi;
beforeAll(() => {
  big = makeBigNdpi();
}, 120_000);
afterAll(() => big?.remove());

async function regionDiff(slide: SlideSource, level: number, region: BigNdpiRegion) {
  const { data, info } = await sharp(big.file(region.png)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const downsample = slide.metadata.levels[level]!.downsample;
  const read = await slide.readRegion(
    { x: region.x * downsample, y: region.y * downsample, width: region.width * downsample, height: region.height * downsample },
    slide.metadata.mppX! * downsample,
  );
  expect([read.width, read.height, read.level]).toEqual([info.width, info.height, level]);
  const diff = compare(read.data, data);
  console.info(
    `NDPI > 4 GiB level ${level} (${region.x}, ${region.y}) ${region.width} x ${region.height}: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max} (tifffile vs OpenSlide ${region.tifffileMeanDiff.toFixed(3)})`,
  );
  return diff;
}

/** Overwrites bytes of the sparse file in place (positions past 2^32), returning what was there. */
function overwrite(path: string, position: number, bytes: Uint8Array): Uint8Array {
  const fd = openSync(path, 'r+');
  try {
    const before = new Uint8Array(bytes.length);
    readSync(fd, before, 0, bytes.length, position);
    writeSync(fd, bytes, 0, bytes.length, position);
    return before;
  } finally {
    closeSync(fd);
  }
}

function readAt(path: string, position: number, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const out = new Uint8Array(length);
    readSync(fd, out, 0, length, position);
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Where in an IFD (at `ifd`) the entry of `tag` starts, and how many entries it has. */
function entryOf(path: string, ifd: number, tag: number): { at: number; count: number; index: number } {
  const head = readAt(path, ifd, 2);
  const count = head[0]! | (head[1]! << 8);
  const table = Buffer.from(readAt(path, ifd + 2, count * 12));
  for (let index = 0; index < count; index++) if (table.readUInt16LE(index * 12) === tag) return { at: ifd + 2 + index * 12, count, index };
  throw new Error(`tag ${tag} not in the IFD at ${ifd}`);
}

describe('Hamamatsu NDPI larger than 4 GiB', () => {
  it('the generated file is past 4 GiB, sparse, with its IFDs and level 0 tail past 2^32', () => {
    const { note } = big;
    console.info(
      `NDPI > 4 GiB fixture: ${note.size} bytes (${note.bytesOnDisk} on disk), first IFD at ${note.firstIfd}, level 0 JPEG ${note.layout.pages[0]!.length} bytes from ${note.layout.pages[0]!.strip}`,
    );
    expect(note.size).toBeGreaterThan(2 ** 32);
    expect(note.firstIfd).toBeGreaterThan(2 ** 32);
    expect(note.layout.pages.slice(1).every((page) => page.strip > 2 ** 32 && page.ifd > 2 ** 32)).toBe(true);
    expect(note.layout.pages[0]!.length).toBeGreaterThan(2 ** 32);
    expect(note.level0IntervalStarts[note.gapInterval + 1]! - note.layout.pages[0]!.strip).toBeGreaterThan(2 ** 32);
  });

  it('levels, scale, magnification, macro and properties read through the 64-bit offsets', async () => {
    const slide = await openSlideNode({ path: big.path });
    const { note } = big;
    expect(slide.metadata.format).toBe('hamamatsu-ndpi');
    expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual(note.levels.map((l) => [l.width, l.height]));
    expect(slide.metadata.mppX).toBeCloseTo(note.mpp[0], 6);
    expect(slide.metadata.objectivePower).toBe(note.objectivePower);
    // The property map and Software are out-of-line ASCII values past 4 GiB.
    expect(slide.metadata.properties['hamamatsu.Product']).toBe('NanoZoomer-XR');
    expect(slide.metadata.properties['tiff.Software']).toBe('NDP.scan 3.3.0');
    const macro = await slide.readAssociatedImage('macro');
    expect([macro.width, macro.height]).toEqual(note.associated.macro);
    await slide.close();
  });

  it('every level matches OpenSlide (libjpeg-turbo as in browsers): mean |diff| <= 0.05; level 0 past 4 GiB into its JPEG too', async () => {
    const slide = await openSlideNode({ path: big.path }, libjpeg);
    for (const [level, { regions }] of big.note.levels.entries()) {
      for (const region of regions) {
        const diff = await regionDiff(slide, level, region);
        expect(diff.mean).toBeLessThanOrEqual(0.05);
        expect(diff.max).toBeLessThanOrEqual(24);
      }
    }
    await slide.close();
  });

  it("through Node's pure-JS JPEG decoder every level stays within mean |diff| 2 of OpenSlide", async () => {
    const slide = await openSlideNode({ path: big.path });
    for (const [level, { regions }] of big.note.levels.entries()) {
      for (const region of regions) expect((await regionDiff(slide, level, region)).mean).toBeLessThanOrEqual(2);
    }
    await slide.close();
  });

  it('the tile holding the 4 GiB hole is refused with a sentence, not read', async () => {
    // The hole is in the last interval of MCU row 31 (x 384-511, y 248-255): PathoLens's tile (1, 0) of level 0.
    const slide = await openSlideNode({ path: big.path });
    const error = await slide.readTile(0, 1, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(/Hamamatsu NDPI slide whose level of page 1 has restart intervals of \d+ bytes for 16 MCUs at tile \(1, 0\)/);
    await slide.close();
  });

  it('without McuStartsHighBytes the level over 4 GiB is refused naming NDPI and the level', async () => {
    const { at } = entryOf(big.path, big.note.layout.pages[0]!.ifd, 65432);
    const before = overwrite(big.path, at, Uint8Array.of(0x99, 0xff)); // tag 65432 -> 65433 (unknown)
    try {
      const error = await failure(openSlideNode({ path: big.path }));
      expect(error).toBeInstanceOf(SlideError);
      console.info(`no McuStartsHighBytes: ${(error as Error).message}`);
      expect((error as Error).message).toMatch(
        /Hamamatsu NDPI slide whose level of page 1 \(20x\) is a \d+-byte JPEG \(over 4 GiB\) without the high bits of its restart-interval offsets \(McuStartsHighBytes, tag 65432\)/,
      );
    } finally {
      overwrite(big.path, at, before);
    }
  });

  it('an IFD whose high-bits block is lost (32-bit offsets only) is refused naming NDPI and the level', async () => {
    const ifd = big.note.layout.pages[1]!.ifd;
    const { count } = entryOf(big.path, ifd, 273);
    const highs = ifd + 2 + count * 12 + 8;
    const before = overwrite(big.path, highs, new Uint8Array(4 * count));
    try {
      const error = await failure(openSlideNode({ path: big.path }));
      expect(error).toBeInstanceOf(SlideError);
      console.info(`no high bits in page 2's IFD: ${(error as Error).message}`);
      expect((error as Error).message).toMatch(/Hamamatsu NDPI slide whose level of page 2 \(10x\)/);
    } finally {
      overwrite(big.path, highs, before);
    }
  });

  it('a truncated file is refused with a sentence naming NDPI and the part (cut from the end down)', async () => {
    const { note } = big;
    const pages = note.layout.pages;
    // Inside the last IFD, inside page 3's JPEG, just past 2^32 (level 0's tail), inside the hole, before it.
    const cuts = [note.size - 10, pages[2]!.strip + 100, 2 ** 32 + 5, 2 ** 32 - 5, 2 ** 20];
    for (const cut of cuts) {
      truncateSync(big.path, cut);
      const error = await failure(openSlideNode({ path: big.path }));
      expect(error, `cut at ${cut}`).toBeInstanceOf(SlideError);
      console.info(`cut at ${cut}: ${(error as Error).message}`);
      expect((error as Error).message, `cut at ${cut}`).toMatch(/Hamamatsu NDPI.*(truncated|past the end)/);
    }
  });
});
