/**
 * `npm run bench -- tiles-scn [--size 8192] [--tiles 200]`: Leica SCN level-0 tiles side by side with OpenSlide, in
 * one run, on one generated two-region SCN (tests/fixtures/make_scn_fixtures.py --bench: the fixtures' SCN400 layout
 * with 512-px JPEG tiles, two regions of size x size/2 one above the other with 512 px of glass between): PathoLens
 * in Chromium (the File from disk, 512-px tiles painted from the regions' tiles under them, decoded in the worker
 * pool) against OpenSlide 4 read_region of the same 512-px tiles, counted from the regions' bounding box
 * (bench/tiles/vendor-runner.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';
import { benchFolder, levelZeroTiles, runPython, runVendorBench, vendorReport } from '../tiles/vendor-runner';
import { option } from './tiles';

const suite: BenchSuite = {
  name: 'tiles-scn',
  description: 'Leica SCN (two regions) level-0 tiles/s in Chromium (regions placed, worker pool) vs OpenSlide',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const size = option(args, '--size', 8192);
    const count = option(args, '--tiles', 200);
    const dir = benchFolder();
    const file = path.join(dir, `tiles-${size}.scn`);
    if (!existsSync(file)) {
      log(`writing a two-region Leica SCN of ${size} x ${size + 512} (once) ...`);
      await runPython('tests/fixtures/make_scn_fixtures.py', ['--bench', dir, `tiles-${size}.scn`, String(size)]);
    }
    const { metadata, tile, tiles } = await levelZeroTiles(file, count);
    const { width, height, levels } = metadata;
    // OpenSlide's level 0 is the whole glass slide; PathoLens's starts at the regions' bounds.
    const origin: [number, number] = [Number(metadata.properties['leica.bounds-x']), Number(metadata.properties['leica.bounds-y'])];
    const run = await runVendorBench({ port: 4196, files: [file], openslidePath: file, tile, origin, tiles, log });
    return vendorReport(
      `Leica SCN tiles: ${width} x ${height} (two regions), ${tiles.length} level-0 tiles`,
      'PathoLens (Chromium, regions placed, native JPEG in workers)',
      run,
      [
        `${tiles.length} distinct ${tile}x${tile} level-0 tiles of a ${width} x ${height} Leica SCN (two regions of ${size} x ${size / 2}, ${levels.length} levels, JPEG 4:2:0, 512-px tiles as the SCN400 writes them; OpenSlide reads the same tiles from the regions' bounding box at (${origin.join(', ')})); PathoLens keeps no decoded tiles (tileCacheBytes 0); best of 2 rounds (OpenSlide: best of a run before and one after Chromium, one thread).`,
      ],
      { size, width, height, tile, origin, tiles: tiles.length },
    );
  },
};

export default suite;
