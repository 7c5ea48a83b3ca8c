/**
 * DICOM files in the browser (issue #15, speed): the decode worker reads a run of neighbouring frames in one Blob
 * read and keeps it for the run's other tiles (tile-codec.ts BlobRanges.run). Here with Node's disk-backed Blobs
 * and the same resolveTileRequest the workers run: every tile of every level gets the same frame bytes, and so the
 * same pixels, as when each frame is read alone; frames not stored one after another are read alone.
 */
import { openAsBlob, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobSource } from '../../src/slide/byte-source';
import { frameRun, openDicomFiles } from '../../src/slide/dicom/dicom-files';
import type { RgbaImage } from '../../src/slide/slide-source';
import { resolveTileRequest, type TileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { installNodeOpenJpeg } from '../../src/slide/openjpeg-node';
import { fixturePath } from '../fixtures';
import { decodeWithLibjpeg } from './fixtures';

installNodeOpenJpeg();

async function open(series: string, decodeReadsBlobs: boolean) {
  const names = readdirSync(fixturePath(`dicom/${series}`)).sort();
  const sources = await Promise.all(names.map(async (name) => blobSource(name, await openAsBlob(join(fixturePath(`dicom/${series}`), name)))));
  const requests: { run: boolean; bytes: Uint8Array[] }[] = [];
  const slide = await openDicomFiles(series, sources, {
    tileCacheBytes: 0,
    decodeReadsBlobs,
    decode: async (request: TileRequest): Promise<RgbaImage> => {
      const job = await resolveTileRequest(request);
      requests.push({ run: Boolean(request.file?.run), bytes: job.planes });
      return decodeTile(job, { jpeg: decodeWithLibjpeg });
    },
  });
  return { slide, requests };
}

describe('DICOM frames read by the decoder in runs of neighbouring frames (worker path)', () => {
  it.each(['jpeg-full', 'j2k-full', 'sparse-concat'])('%s: every tile of every level, the same frame bytes and pixels as frames read alone', async (series) => {
    const runs = await open(series, true);
    // Frames read one by one through the page's reader, as before.
    const page = await open(series, false);
    for (const { slide } of [runs, page]) {
      for (const [level, info] of slide.metadata.levels.entries()) {
        for (let r = 0; r * info.tileHeight < info.height; r++) for (let c = 0; c * info.tileWidth < info.width; c++) await slide.readTile(level, c, r);
      }
    }
    expect(runs.requests.some((request) => request.run)).toBe(true);
    expect(page.requests.some((request) => request.run)).toBe(false);
    expect(runs.requests.length).toBe(page.requests.length);
    for (const [i, request] of runs.requests.entries()) {
      expect(request.bytes.map((plane) => Buffer.from(plane).toString('hex'))).toEqual(
        page.requests[i]!.bytes.map((plane) => Buffer.from(plane).toString('hex')),
      );
    }
    for (const { slide } of [runs, page]) await slide.close();
  });

  it('frameRun: aligned groups of consecutive frames; frames out of order or far apart are read alone', () => {
    const frames = Array.from({ length: 100 }, (_, i) => ({ offset: 1000 + i * 1008, length: 1000 }));
    const run = frameRun(frames, 7)!;
    expect(run.offset).toBeLessThanOrEqual(frames[7]!.offset);
    expect(run.offset + run.length).toBeGreaterThanOrEqual(frames[7]!.offset + 1000);
    expect(frameRun(frames, 0)).toEqual(run); // same group, same run: the worker's cache finds it
    const swapped = frames.map((frame, i) => (i === 1 ? frames[2]! : i === 2 ? frames[1]! : frame));
    expect(frameRun(swapped, 0)).toBeNull();
    const spread = frames.map((frame, i) => ({ ...frame, offset: i * 10_000_000 }));
    expect(frameRun(spread, 0)).toBeNull();
  });
});
