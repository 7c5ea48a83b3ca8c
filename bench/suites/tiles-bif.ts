/**
 * `npm run bench -- tiles-bif [--size 8192] [--tiles 200] [--passes 2]`: Ventana BIF level-0 tiles side by side with
 * OpenSlide, in one run (bench/tiles/vendor-runner.ts), on one generated BIF (bench/tiles/make_bif.py: the fixture
 * generator's write_bif with 1024-px camera tiles overlapping by 16 / 12 px on average, one area): PathoLens in
 * Chromium (the File from disk, each 1024-px tile painted from the camera tiles under it, decoded in the worker
 * pool) against OpenSlide 4 read_region of the same tiles.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';
import { benchFolder, levelZeroTiles, runPython, runVendorBench, vendorReport } from '../tiles/vendor-runner';
import { option } from './tiles';

const suite: BenchSuite = {
  name: 'tiles-bif',
  description: 'Ventana BIF (overlapping camera tiles) level-0 tiles/s in Chromium (tiles placed, worker pool) vs OpenSlide',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const size = option(args, '--size', 8192);
    const count = option(args, '--tiles', 200);
    const passes = option(args, '--passes', 2);
    const dir = benchFolder();
    const file = path.join(dir, `tiles-${size}.bif`);
    if (!existsSync(file)) {
      log(`writing a Ventana BIF of about ${size} x ${size} (once) ...`);
      log(`  ${(await runPython('bench/tiles/make_bif.py', [dir, `tiles-${size}.bif`, String(size)])).trim()}`);
    }
    const { metadata, tile, tiles } = await levelZeroTiles(file, count);
    const { width, height, levels } = metadata;
    const run = await runVendorBench({ port: 4199, files: [file], openslidePath: file, tile, tiles, passes, log });
    return vendorReport(
      `Ventana BIF tiles: ${width} x ${height}, ${tiles.length} level-0 tiles`,
      'PathoLens (Chromium, camera tiles placed, native JPEG in workers)',
      run,
      [
        `${tiles.length} distinct ${tile}x${tile} level-0 tiles of a ${width} x ${height} Ventana BIF (${levels.length} levels, 1024-px JPEG camera tiles overlapping by 16 / 12 px on average (joints 14-18 / 10-14 px), so each output tile is painted from up to 4 camera tiles, at whole-pixel positions at every level); PathoLens keeps no decoded output tiles (tileCacheBytes 0) but, like OpenSlide, at least 32 MiB of decoded camera tiles (each lies under up to 4 output tiles); best round of ${passes} Chromium passes x 2 rounds.`,
      ],
      { size, width, height, tile, tiles: tiles.length },
    );
  },
};

export default suite;
