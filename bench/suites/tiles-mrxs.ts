/**
 * `npm run bench -- tiles-mrxs [--size 8192] [--tiles 400]`: 3DHistech MRXS level-0 tiles side by side with
 * OpenSlide, in one run, on one generated MIRAX slide (bench/tiles/make_mrxs.py: the fixture writer's scanner
 * layout with 1024-px photos in 512-px JPEG images, overlapping, at jittered stage positions): PathoLens in
 * Chromium (the folder's Files from disk, 256-px tiles painted from the camera-image parts under them, images
 * decoded in the worker pool) against OpenSlide 4 read_region of the same 256-px tiles of the .mrxs.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSlideNode } from '../../src/slide/open-slide-node';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';
import { betterOpenSlideRun, option, pickTiles, runOpenSlide } from './tiles';
import { measureTilesInPage, openBenchApp, type PageRun } from './tiles-chromium';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function makeMrxs(dir: string, name: string, size: number): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    execFile(path.join(root, '.venv/bin/python'), [path.join(root, 'bench/tiles/make_mrxs.py'), dir, name, String(size)], (error, _out, stderr) =>
      error ? reject(new Error(`make_mrxs.py failed: ${stderr.trim().split('\n').pop() ?? error.message}`)) : resolve(),
    ),
  );
}

const suite: BenchSuite = {
  name: 'tiles-mrxs',
  description: '3DHistech MRXS level-0 tiles/s in Chromium (camera-image parts, worker pool) vs OpenSlide',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const size = option(args, '--size', 8192);
    const count = option(args, '--tiles', 400);
    const dir = path.join(tmpdir(), 'patholens-bench');
    mkdirSync(dir, { recursive: true });
    const name = `tiles-${size}`;
    const mrxs = path.join(dir, `${name}.mrxs`);
    if (!existsSync(path.join(dir, name, 'Slidedat.ini'))) {
      log(`writing a MIRAX slide of about ${size} x ${size} (once) ...`);
      await makeMrxs(dir, name, size);
    }
    const probe = await openSlideNode({ path: mrxs });
    const { width, height } = probe.metadata;
    const levels = probe.metadata.levels.length;
    await probe.close();
    const tiles = pickTiles(Math.ceil(width / 256), Math.ceil(height / 256), count);
    log('OpenSlide read_region ...');
    const openslideBefore = await runOpenSlide(mrxs, tiles);

    log('building the app (production) and opening Chromium ...');
    const files = readdirSync(path.join(dir, name)).map((file) => path.join(dir, name, file));
    const app = await openBenchApp(4198, files);
    let run: PageRun;
    try {
      log(`decoding ${tiles.length} tiles in Chromium ...`);
      run = await measureTilesInPage(app.page, { files: true }, tiles);
    } finally {
      await app.close();
    }
    log('OpenSlide read_region again ...');
    const openslideAfter = await runOpenSlide(mrxs, tiles);
    const openslide = betterOpenSlideRun(openslideBefore, openslideAfter);
    const openslideRate = typeof openslide === 'string' ? null : openslide.tilesPerSecond;
    const mine = Math.max(...run.tilesPerSecond);
    const notes = [
      `${tiles.length} distinct 256x256 level-0 tiles of a ${width} x ${height} MIRAX slide (${levels} zoom levels; 512-px JPEG camera images, 2 x 2 per 1024-px photo, photos overlapping by 32 px); PathoLens keeps no decoded tiles (tileCacheBytes 0) but, like OpenSlide, at least 32 MiB of decoded camera images (each serves up to 9 tiles); best of 2 rounds (OpenSlide: best of a run before and one after Chromium, one thread).`,
      `Chromium: open ${run.openMs.toFixed(0)} ms (Slidedat.ini, Index.dat, the stage positions), home view (every tile of the level that fits 1280x800) ${run.firstViewMs.toFixed(0)} ms; decode pool on ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the end.`,
    ];
    if (typeof openslide === 'string') notes.push(openslide);
    return {
      title: `MRXS tiles: ${width} x ${height}, ${tiles.length} level-0 tiles`,
      columns: ['path', 'tiles/s', '÷ OpenSlide'],
      rows: [
        {
          path: 'PathoLens (Chromium, camera-image parts, native JPEG in workers)',
          'tiles/s': mine,
          '÷ OpenSlide': openslideRate ? mine / openslideRate : null,
        },
        { path: `OpenSlide read_region${typeof openslide === 'string' ? '' : ` ${openslide.version}`}`, 'tiles/s': openslideRate, '÷ OpenSlide': 1 },
      ],
      notes,
      details: { size, width, height, tiles: tiles.length, run, openslide: { before: openslideBefore, after: openslideAfter } },
    };
  },
};

export default suite;
