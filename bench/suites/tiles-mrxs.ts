/**
 * `npm run bench -- tiles-mrxs [--size 8192] [--tiles 400]`: 3DHistech MRXS level-0 tiles side by side with
 * OpenSlide, in one run, on one generated MIRAX slide (bench/tiles/make_mrxs.py: the fixture writer's scanner
 * layout with 1024-px photos in 512-px JPEG images, overlapping, at jittered stage positions): PathoLens in
 * Chromium (the folder's Files from disk, 256-px tiles painted from the camera-image parts under them, images
 * decoded in the worker pool) against OpenSlide 4 read_region of the same 256-px tiles of the .mrxs, through the
 * vendor suites' shared runner (bench/tiles/vendor-runner.ts: OpenSlide before and after Chromium, load averages).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSlideNode } from '../../src/slide/open-slide-node';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';
import { runPython, runVendorBench, vendorReport } from '../tiles/vendor-runner';
import { option, pickTiles } from './tiles';

const suite: BenchSuite = {
  name: 'tiles-mrxs',
  description: '3DHistech MRXS level-0 tiles/s in Chromium (camera-image parts, worker pool) vs OpenSlide',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const size = option(args, '--size', 8192);
    const count = option(args, '--tiles', 400);
    const passes = option(args, '--passes', 1);
    const dir = path.join(tmpdir(), 'patholens-bench');
    mkdirSync(dir, { recursive: true });
    const name = `tiles-${size}`;
    const mrxs = path.join(dir, `${name}.mrxs`);
    if (!existsSync(path.join(dir, name, 'Slidedat.ini'))) {
      log(`writing a MIRAX slide of about ${size} x ${size} (once) ...`);
      await runPython('bench/tiles/make_mrxs.py', [dir, name, String(size)]);
    }
    const probe = await openSlideNode({ path: mrxs });
    const { width, height } = probe.metadata;
    const levels = probe.metadata.levels.length;
    await probe.close();
    const tiles = pickTiles(Math.ceil(width / 256), Math.ceil(height / 256), count);
    const files = readdirSync(path.join(dir, name)).map((file) => path.join(dir, name, file));
    const run = await runVendorBench({ port: 4198, files, openslidePath: mrxs, tile: 256, tiles, passes, log });
    return vendorReport(
      `MRXS tiles: ${width} x ${height}, ${tiles.length} level-0 tiles`,
      'PathoLens (Chromium, camera-image parts, native JPEG in workers)',
      run,
      [
        `${tiles.length} distinct 256x256 level-0 tiles of a ${width} x ${height} MIRAX slide (${levels} zoom levels; 512-px JPEG camera images, 2 x 2 per 1024-px photo, photos overlapping by 32 px); PathoLens keeps no decoded tiles (tileCacheBytes 0) but, like OpenSlide, at least 32 MiB of decoded camera images (each serves up to 9 tiles); best round of ${passes} Chromium pass(es) x 2 rounds.`,
      ],
      { size, width, height, tiles: tiles.length },
    );
  },
};

export default suite;
