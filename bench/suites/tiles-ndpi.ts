/**
 * `npm run bench -- tiles-ndpi [--size 8192] [--tiles 400]`: Hamamatsu NDPI level-0 tiles side by side with
 * OpenSlide, in one run, on one generated NDPI (bench/tiles/make_ndpi.py: NDP.scan's layout, a restart marker
 * every 8 MCUs): PathoLens in Chromium (File from disk, each 256-px tile built from its restart intervals and
 * decoded in the worker pool; the workers read the bands from the File, and for comparison, alternating in the
 * same page, the page reading the bytes and posting them: `pageReadsBytes`) against OpenSlide 4 read_region of
 * the same 256-px tiles; and, in Node, the bytes one tile reads against the level's JPEG (the issue: a tile costs
 * a few restart intervals, not the level). Where the time goes: bench/profile-ndpi.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSlideFrom } from '../../src/slide/open-slide-core';
import { nodeDecoders } from '../../src/slide/open-slide-node';
import { nodeFileSource } from '../../src/slide/node-file-source';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';
import { option, pickTiles, runOpenSlide, betterOpenSlideRun } from './tiles';
import { measureTilesInPage, openBenchApp, type PageRun } from './tiles-chromium';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function makeNdpi(file: string, size: number): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    execFile(path.join(root, '.venv/bin/python'), [path.join(root, 'bench/tiles/make_ndpi.py'), file, String(size)], (error, _out, stderr) =>
      error ? reject(new Error(`make_ndpi.py failed: ${stderr.trim().split('\n').pop() ?? error.message}`)) : resolve(),
    ),
  );
}

/** Bytes read for each of `tiles` level-0 tiles, in Node, through the same reader. */
async function bytesPerTile(file: string, tiles: [number, number][]): Promise<number> {
  const source = await nodeFileSource(file);
  let read = 0;
  const counting = {
    ...source,
    read: async (offset: number, length: number, signal?: AbortSignal) => {
      const data = await source.read(offset, length, signal);
      read += data.length;
      return data;
    },
  };
  const slide = await openSlideFrom(counting, { ...nodeDecoders, fetch: globalThis.fetch, tileCacheBytes: 0 });
  const before = read;
  for (const [c, r] of tiles) await slide.readTile(0, c, r);
  const perTile = (read - before) / tiles.length;
  await slide.close();
  return perTile;
}

const suite: BenchSuite = {
  name: 'tiles-ndpi',
  description: 'Hamamatsu NDPI level-0 tiles/s in Chromium (restart intervals, worker pool) vs OpenSlide; bytes read per tile',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const size = option(args, '--size', 8192);
    const count = option(args, '--tiles', 400);
    const dir = path.join(tmpdir(), 'patholens-bench');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `tiles-${size}.ndpi`);
    if (!existsSync(file)) {
      log(`writing a ${size} x ${size} NDPI (once) ...`);
      await makeNdpi(file, size);
    }
    const tiles = pickTiles(Math.ceil(size / 256), Math.ceil(size / 256), count);
    log('OpenSlide read_region ...');
    const openslideBefore = await runOpenSlide(file, tiles);
    log('bytes per tile in Node ...');
    const perTile = await bytesPerTile(file, tiles.slice(0, 50));

    log('building the app (production) and opening Chromium ...');
    const app = await openBenchApp(4197, [file]);
    // Both paths twice, alternating, in one page: the machine is shared and noisy, so each gets the same noise.
    const runs: PageRun[] = [];
    const pageRuns: PageRun[] = [];
    try {
      for (let pass = 0; pass < 2; pass++) {
        log(`decoding ${tiles.length} tiles in Chromium, the page reading the bytes (pass ${pass + 1} of 2) ...`);
        pageRuns.push(await measureTilesInPage(app.page, { files: true }, tiles, { pageReadsBytes: true }));
        log(`decoding ${tiles.length} tiles in Chromium, the workers reading the File (pass ${pass + 1} of 2) ...`);
        runs.push(await measureTilesInPage(app.page, { files: true }, tiles));
      }
    } finally {
      await app.close();
    }
    log('OpenSlide read_region again ...');
    const openslideAfter = await runOpenSlide(file, tiles);
    const openslide = betterOpenSlideRun(openslideBefore, openslideAfter);
    const openslideRate = typeof openslide === 'string' ? null : openslide.tilesPerSecond;
    const mine = Math.max(...runs.flatMap((r) => r.tilesPerSecond));
    const pageMine = Math.max(...pageRuns.flatMap((r) => r.tilesPerSecond));
    const run = runs[0]!;
    const level0Bytes = statSync(file).size; // the level-0 JPEG is nearly all of the file
    const notes = [
      `${tiles.length} distinct 256x256 level-0 tiles of a ${size} x ${size} NDPI (YCbCr 4:2:2 JPEG per level, a restart marker every 8 MCUs = 128 px); no decoded-tile cache; compressed bands of MCU rows (at most 1 MiB each) are kept, 32 MiB of them, by each decode worker (or by the reader when the page reads); best of 2 rounds x 2 passes per path, the paths alternating in one page (OpenSlide: best of a run before and one after Chromium, one thread).`,
      `Bytes read per level-0 tile (Node, same reader, band cache on): ${Math.round(perTile)} of a ${(level0Bytes / 2 ** 20).toFixed(1)} MiB file (${((100 * perTile) / level0Bytes).toFixed(3)}%): the band of MCU rows the tile covers (one read when under 1 MiB), never the level.`,
      `Chromium, workers reading the File: rounds ${runs.flatMap((r) => r.tilesPerSecond.map((t) => t.toFixed(0))).join(', ')} tiles/s; page reading the bytes: ${pageRuns.flatMap((r) => r.tilesPerSecond.map((t) => t.toFixed(0))).join(', ')} tiles/s.`,
      `Chromium: open ${run.openMs.toFixed(0)} ms, home view (every tile of the level that fits 1280x800) ${run.firstViewMs.toFixed(0)} ms; decode pool on ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the end (${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}).`,
    ];
    if (typeof openslide === 'string') notes.push(openslide);
    return {
      title: `NDPI tiles: ${size} x ${size}, ${tiles.length} level-0 tiles`,
      columns: ['path', 'tiles/s', '÷ OpenSlide'],
      rows: [
        {
          path: 'PathoLens (Chromium, workers read the File, join restart intervals, native JPEG)',
          'tiles/s': mine,
          '÷ OpenSlide': openslideRate ? mine / openslideRate : null,
        },
        {
          path: 'PathoLens (Chromium, the page reads the bytes and posts them)',
          'tiles/s': pageMine,
          '÷ OpenSlide': openslideRate ? pageMine / openslideRate : null,
        },
        { path: `OpenSlide read_region${typeof openslide === 'string' ? '' : ` ${openslide.version}`}`, 'tiles/s': openslideRate, '÷ OpenSlide': 1 },
      ],
      notes,
      details: { size, tiles: tiles.length, runs, pageRuns, perTile, openslide: { before: openslideBefore, after: openslideAfter } },
    };
  },
};

export default suite;
