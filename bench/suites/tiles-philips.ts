/**
 * `npm run bench -- tiles-philips [--size 8192] [--tiles 150] [--passes 2]`: Philips TIFF level-0 tiles side by side
 * with OpenSlide, in one run (bench/tiles/vendor-runner.ts), on one generated Philips TIFF (bench/tiles/make_philips.py:
 * the fixture generator's XML description and layout, 512-px JPEG tiles, a quarter of the top half's tiles never
 * written): PathoLens in Chromium (the File from disk, decoded in the worker pool, unwritten tiles white) against
 * OpenSlide 4 read_region of the same tiles.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';
import { benchFolder, levelZeroTiles, runPython, runVendorBench, vendorReport } from '../tiles/vendor-runner';
import { option } from './tiles';

const suite: BenchSuite = {
  name: 'tiles-philips',
  description: 'Philips TIFF (sparse tiles) level-0 tiles/s in Chromium (worker pool) vs OpenSlide',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const size = option(args, '--size', 8192);
    const count = option(args, '--tiles', 150);
    const passes = option(args, '--passes', 2);
    const dir = benchFolder();
    const file = path.join(dir, `tiles-${size}-philips.tiff`);
    if (!existsSync(file)) {
      log(`writing a ${size} x ${size} Philips TIFF (once) ...`);
      log(`  ${(await runPython('bench/tiles/make_philips.py', [dir, `tiles-${size}-philips.tiff`, String(size)])).trim()}`);
    }
    const { metadata, tile, tiles } = await levelZeroTiles(file, count);
    const { width, height, levels } = metadata;
    const run = await runVendorBench({ port: 4200, files: [file], openslidePath: file, tile, tiles, passes, log });
    return vendorReport(
      `Philips TIFF tiles: ${width} x ${height}, ${tiles.length} level-0 tiles`,
      'PathoLens (Chromium, native JPEG in workers)',
      run,
      [
        `${tiles.length} distinct ${tile}x${tile} level-0 tiles of a ${width} x ${height} Philips TIFF (${levels.length} levels, 512-px JPEG tiles; the right quarter of the top half never written: white in both readers); PathoLens keeps no decoded tiles (tileCacheBytes 0); best round of ${passes} Chromium passes x 2 rounds.`,
      ],
      { size, width, height, tile, tiles: tiles.length },
    );
  },
};

export default suite;
