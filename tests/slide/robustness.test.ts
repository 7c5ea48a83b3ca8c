/**
 * Bad input never escapes as anything but a SlideError sentence, and never makes the reader allocate what a
 * header claims: crafted absurd sizes, truncation, non-TIFF bytes, and fast-check mutations of the TIFF
 * header, IFDs and tag values of real and generated files.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../src/slide/byte-source';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError } from '../../src/slide/slide-source';
import { parseTiff } from '../../src/slide/tiff-structure';
import { MemorySink, patchFirstIfd, TiffWriter } from '../../src/slide/tiff-writer';
import { readFixture } from '../fixtures';
import { halve, hePicture, pyramidTiff, sharpTiff } from './fixtures';

/** A TIFF whose only page claims width x height with 256-px tiles but lists `tiles` tiles. */
function claimingTiff(width: number, height: number, tiles: number): Uint8Array {
  const sink = new MemorySink();
  const writer = new TiffWriter(sink);
  const page = writer.addPage({ width, height, tileWidth: 256, tileHeight: 256, compression: 1, photometric: 2, samplesPerPixel: 3 });
  for (let i = 0; i < tiles; i++) writer.addTile(page, new Uint8Array(256 * 256 * 3));
  const first = writer.finish();
  const bytes = sink.bytes();
  patchFirstIfd(bytes, first);
  return bytes;
}

async function openBytes(bytes: Uint8Array, name = 'fuzzed.tiff') {
  return openSlideNode({ name, bytes });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('hostile headers', () => {
  it('a header claiming 10^7 x 10^7 pixels is refused without allocating', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const error = await failure(openBytes(claimingTiff(10_000_000, 10_000_000, 1), 'huge.tiff'));
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(/claims an image of 10000000 x 10000000 pixels/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('a plausible size with too few tiles listed is called damaged', async () => {
    const error = await failure(openBytes(claimingTiff(900_000, 900_000, 2), 'big.tiff'));
    expect((error as Error).message).toMatch(/needs 12362256 tiles, but the file lists 2/);
  });

  it('an offsets array claimed past the end of the file is refused before it is read', async () => {
    const bytes = claimingTiff(512, 512, 4);
    const file = await parseTiff(bufferSource('x', bytes));
    const entryAt = file.ifds[0]!.offset + 2 + [...file.ifds[0]!.entries.keys()].sort((a, b) => a - b).indexOf(324) * 12;
    new DataView(bytes.buffer).setUint32(entryAt + 4, 0x7fffffff, true); // TileOffsets count
    const error = await failure(openBytes(bytes));
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(/past the end of the .*file/);
  });

  it.each([
    ['non-TIFF bytes', new TextEncoder().encode('%PDF-1.7 this is not a slide at all'), /not a slide PathoLens can read/],
    ['an empty file', new Uint8Array(0), /empty/],
    ['a bare TIFF header', Uint8Array.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]), /past the end|cut off|truncated/],
    ['an IFD loop', Uint8Array.from([0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0, 1, 4, 0, 1, 0, 0, 0, 16, 0, 0, 0, 8, 0, 0, 0]), /loop|no image|without a width/],
  ])('%s', async (_name, bytes, pattern) => {
    const error = await failure(openBytes(bytes));
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(pattern);
  });

  it('a truncated slide fails with a sentence at open or at the first missing tile', async () => {
    const picture = hePicture(600, 500);
    const whole = await pyramidTiff([picture, halve(picture)], 256, { compression: 1, photometric: 2, samplesPerPixel: 3 }, (t) => t);
    for (const fraction of [0.1, 0.5, 0.9, 0.999]) {
      const error = await failure(openBytes(whole.slice(0, Math.floor(whole.length * fraction)), 'cut.tiff'));
      expect(error).toBeInstanceOf(SlideError);
      expect((error as Error).message).toMatch(/truncated|past the end|cut off/);
    }
  });
});

/** Files to mutate: OpenSlide's small.svs, a libtiff Deflate pyramid and a JPEG pyramid. */
async function seeds(): Promise<Uint8Array[]> {
  const picture = hePicture(300, 260);
  const list = [
    await sharpTiff(picture, {
      compression: 'deflate',
      tile: true,
      tileWidth: 64,
      tileHeight: 64,
      pyramid: true,
      predictor: 'horizontal',
      xres: 4000,
      yres: 4000,
      resolutionUnit: 'cm',
    }),
    await sharpTiff(picture, { compression: 'jpeg', tile: true, tileWidth: 128, tileHeight: 128, pyramid: true, quality: 80 }),
  ];
  list.push(readFixture('small.svs'));
  return list;
}

/** Byte ranges holding structure (header, IFD tables, out-of-line tag values): where mutations hurt most. */
async function structureOffsets(bytes: Uint8Array): Promise<number[]> {
  const file = await parseTiff(bufferSource('seed', bytes));
  const offsets = new Set<number>();
  for (let i = 0; i < 16; i++) offsets.add(i);
  for (const ifd of file.ifds) {
    for (let i = 0; i < 2 + ifd.entries.size * 12 + 4; i++) offsets.add(ifd.offset + i);
    for (const entry of ifd.entries.values()) if (entry.offset >= 0) for (let i = 0; i < Math.min(16, entry.count * 4); i++) offsets.add(entry.offset + i);
  }
  return [...offsets].filter((o) => o < bytes.length);
}

describe('fuzzing the TIFF/metadata path (fast-check)', () => {
  it('mutated files open, or fail with a SlideError; what opens reads its tiles or fails the same way', async () => {
    const files = await seeds();
    const structure = await Promise.all(files.map(structureOffsets));
    const interesting = [0, 1, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 10_000_000, 65536, 42];
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.constantFrom(...interesting) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
    );
    let opened = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: files.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (which, mutations, anywhere) => {
          let bytes = files[which]!.slice();
          const targets = structure[which]!;
          for (const m of mutations) {
            const at = anywhere ? m.at % bytes.length : targets[m.at % targets.length]!;
            if (m.kind === 'byte') bytes[at] = m.value;
            else if (m.kind === 'u32' && at + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(at, m.value >>> 0, m.at % 2 === 0);
            else if (m.kind === 'truncate') bytes = bytes.slice(0, Math.max(at, 0));
          }
          const before = process.memoryUsage().arrayBuffers;
          try {
            const slide = await openBytes(bytes);
            opened++;
            for (const [level, info] of slide.metadata.levels.entries()) {
              const lastCol = Math.ceil(info.width / info.tileWidth) - 1;
              const lastRow = Math.ceil(info.height / info.tileHeight) - 1;
              for (const [c, r] of [
                [0, 0],
                [lastCol, lastRow],
              ] as const) {
                await slide.readTile(level, c, r).catch((error: unknown) => {
                  if (!(error instanceof SlideError)) throw error;
                });
              }
            }
            await slide.readRegion({ x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height }, null).catch((error: unknown) => {
              if (!(error instanceof SlideError)) throw error;
            });
            for (const name of slide.metadata.associatedImages) {
              await slide.readAssociatedImage(name).catch((error: unknown) => {
                if (!(error instanceof SlideError)) throw error;
              });
            }
            await slide.close();
          } catch (error) {
            if (!(error instanceof SlideError)) throw error;
            expect(error.message.length).toBeGreaterThan(10);
            refused++;
          }
          // Nothing a header claims may make us hold more than a few hundred MB.
          expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(300 * 1024 * 1024);
        },
      ),
      { numRuns: 400, seed: 20261128 },
    );
    expect(opened + refused).toBe(400);
    console.log(`fuzz: ${opened} mutated files opened, ${refused} refused with a SlideError`);
  }, 120_000);
});
