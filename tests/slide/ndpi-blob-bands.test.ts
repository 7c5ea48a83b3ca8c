/**
 * NDPI from a local file in the browser (issue #15, speed): the decode worker reads the band of MCU rows from the
 * File itself and joins the tile's restart intervals (tile-codec.ts `restart` requests), so the page never reads
 * or posts the bytes. Here with Node's disk-backed Blob (fs.openAsBlob) and the same resolveTileRequest the
 * workers run: every tile of every level is the same JPEG, byte for byte, as the page-side path builds, and so
 * the same pixels; a band past the end of the file is a sentence.
 */
import { openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blobSource } from '../../src/slide/byte-source';
import { openSlideFrom } from '../../src/slide/open-slide-core';
import { nodeDecoders } from '../../src/slide/open-slide-node';
import { SlideError, type RgbaImage, type SlideSource } from '../../src/slide/slide-source';
import { resolveTileRequest, standaloneJpegCodec, type TileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { fixturePath } from '../fixtures';
import { decodeWithLibjpeg } from './fixtures';

const NDPI = fixturePath('ndpi/hamamatsu-layout.ndpi');

/** Opens the fixture as a Blob; records each tile request's form and the JPEG the decoder got. */
async function open(decodeReadsBlobs: boolean) {
  const blob = await openAsBlob(NDPI);
  const requests: { form: 'restart' | 'planes' | 'file'; jpeg: Uint8Array }[] = [];
  const slide = await openSlideFrom(blobSource('hamamatsu-layout.ndpi', blob), {
    ...nodeDecoders,
    fetch: globalThis.fetch,
    tileCacheBytes: 0,
    decodeReadsBlobs,
    decodeTile: async (request: TileRequest): Promise<RgbaImage> => {
      const job = await resolveTileRequest(request);
      requests.push({ form: request.restart ? 'restart' : request.file ? 'file' : 'planes', jpeg: job.planes[0]! });
      return decodeTile(job, { jpeg: decodeWithLibjpeg });
    },
  });
  return { slide, requests };
}

async function everyTile(slide: SlideSource, each: (level: number, tile: RgbaImage) => void) {
  for (const [level, info] of slide.metadata.levels.entries()) {
    for (let r = 0; r * info.tileHeight < info.height; r++) {
      for (let c = 0; c * info.tileWidth < info.width; c++) each(level, await slide.readTile(level, c, r));
    }
  }
}

describe('NDPI tiles read by the decoder from the file (worker path)', () => {
  it('every tile of every level: the same JPEG bytes and pixels as when the page reads and joins the intervals', async () => {
    const page = await open(false);
    const worker = await open(true);
    const before: RgbaImage[] = [];
    await everyTile(page.slide, (_, tile) => before.push(tile));
    let i = 0;
    let tiles = 0;
    await everyTile(worker.slide, (level, tile) => {
      const expected = before[i++]!;
      expect([tile.width, tile.height, level]).toEqual([expected.width, expected.height, level]);
      expect(Buffer.from(tile.data).equals(Buffer.from(expected.data))).toBe(true);
      tiles++;
    });
    // Tiles of levels with restart intervals went the new way; the page path never does.
    const tileRequests = worker.requests.slice(-page.requests.length);
    expect(page.requests.every((r) => r.form === 'planes')).toBe(true);
    expect(tileRequests.filter((r) => r.form === 'restart').length).toBeGreaterThan(tiles / 2);
    tileRequests.forEach((request, k) => expect(Buffer.from(request.jpeg).equals(Buffer.from(page.requests.at(-page.requests.length + k)!.jpeg))).toBe(true));
    console.info(`${tiles} tiles, ${tileRequests.filter((r) => r.form === 'restart').length} through the decoder's own band reads, all byte-identical`);
    await page.slide.close();
    await worker.slide.close();
  });

  it('a band is read once for its tiles even when every request brings a new Blob object (as posted Blobs arrive in a worker)', async () => {
    const bytes = new Uint8Array(4096).map((_, i) => i & 255);
    let slices = 0;
    /** A new Blob object per request over the same bytes, counting reads. */
    const posted = () => {
      const blob = new Blob([bytes]);
      const slice = blob.slice.bind(blob);
      blob.slice = (...args: Parameters<Blob['slice']>) => {
        slices++;
        return slice(...args);
      };
      return blob;
    };
    const request = (fileKey: string, intervals: number[]): TileRequest => ({
      codec: standaloneJpegCodec('ndpi'),
      width: 16,
      height: 8,
      restart: { blob: posted(), fileKey, span: { offset: 1000, length: 2000 }, header: new Uint8Array([0xff, 0xd8]), intervals },
    });
    const a = await resolveTileRequest(request('slide-a', [0, 10, 10, 20]));
    const b = await resolveTileRequest(request('slide-a', [100, 110]));
    expect(slices).toBe(1);
    // The intervals with their markers replaced: RST0 after the first, EOI after the last.
    expect([...a.planes[0]!]).toEqual([0xff, 0xd8, ...bytes.slice(1000, 1008), 0xff, 0xd0, ...bytes.slice(1010, 1018), 0xff, 0xd9]);
    expect([...b.planes[0]!]).toEqual([0xff, 0xd8, ...bytes.slice(1100, 1108), 0xff, 0xd9]);
    await resolveTileRequest(request('slide-b', [0, 10]));
    expect(slices).toBe(2);
  });

  it('a band past the end of the file is a sentence, never a short JPEG', async () => {
    const blob = new Blob([new Uint8Array(1000)]);
    const request: TileRequest = {
      codec: standaloneJpegCodec('ndpi'),
      width: 16,
      height: 8,
      restart: { blob, fileKey: 'cut', span: { offset: 900, length: 500 }, header: new Uint8Array([0xff, 0xd8]), intervals: [0, 10] },
    };
    const error = await resolveTileRequest(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toBe('The slide file is truncated: a JPEG lies past its end.');
  });
});
