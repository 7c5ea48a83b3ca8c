/**
 * `npm run bench -- tiles-scn [--size 8192] [--tiles 200]`: Leica SCN level-0 tiles side by side with OpenSlide, in
 * one run, on one generated two-region SCN (tests/fixtures/make_scn_fixtures.py --bench: the fixtures' SCN400 layout
 * with 512-px JPEG tiles, two regions of size x size/2 one above the other with 512 px of glass between): PathoLens
 * in Chromium (the File from disk, 512-px tiles painted from the regions' tiles under them, decoded in the worker
 * pool) against OpenSlide 4 read_region of the same 512-px tiles, counted from the regions' bounding box.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSlideNode } from '../../src/slide/open-slide-node';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';
import { betterOpenSlideRun, option, pickTiles } from './tiles';
import { measureTilesInPage, openBenchApp, type PageRun } from './tiles-chromium';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const python = path.join(root, '.venv/bin/python');

function runPython(args: string[], stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(python, args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr.trim().split('\n').pop() ?? error.message)) : resolve(stdout),
    );
    child.stdin!.end(stdin ?? '');
  });
}

type OpenSlideRun = { tilesPerSecond: number; version: string } | string;

async function openSlideTiles(slidePath: string, tile: number, origin: [number, number], tiles: [number, number][]): Promise<OpenSlideRun> {
  if (!existsSync(python)) return 'no .venv (run: python3 -m venv .venv && .venv/bin/pip install openslide-bin openslide-python)';
  try {
    const out = await runPython([path.join(root, 'bench/tiles/openslide_tiles.py')], JSON.stringify({ path: slidePath, tile, tiles, warmup: 30, origin }));
    return JSON.parse(out) as { tilesPerSecond: number; version: string };
  } catch (error) {
    return `OpenSlide run failed: ${(error as Error).message}`;
  }
}

const suite: BenchSuite = {
  name: 'tiles-scn',
  description: 'Leica SCN (two regions) level-0 tiles/s in Chromium (regions placed, worker pool) vs OpenSlide',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const size = option(args, '--size', 8192);
    const count = option(args, '--tiles', 200);
    const dir = path.join(tmpdir(), 'patholens-bench');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `tiles-${size}.scn`);
    if (!existsSync(file)) {
      log(`writing a two-region Leica SCN of ${size} x ${size + 512} (once) ...`);
      await runPython([path.join(root, 'tests/fixtures/make_scn_fixtures.py'), '--bench', dir, `tiles-${size}.scn`, String(size)]);
    }
    const probe = await openSlideNode({ path: file });
    const { width, height, levels } = probe.metadata;
    const tile = levels[0]!.tileWidth;
    const origin: [number, number] = [Number(probe.metadata.properties['leica.bounds-x']), Number(probe.metadata.properties['leica.bounds-y'])];
    await probe.close();
    const tiles = pickTiles(Math.ceil(width / tile), Math.ceil(height / tile), count);
    log('OpenSlide read_region ...');
    const openslideBefore = await openSlideTiles(file, tile, origin, tiles);

    log('building the app (production) and opening Chromium ...');
    const app = await openBenchApp(4196, [file]);
    let run: PageRun;
    try {
      log(`decoding ${tiles.length} tiles in Chromium ...`);
      run = await measureTilesInPage(app.page, { files: true }, tiles);
    } finally {
      await app.close();
    }
    log('OpenSlide read_region again ...');
    const openslideAfter = await openSlideTiles(file, tile, origin, tiles);
    const openslide = betterOpenSlideRun(openslideBefore, openslideAfter);
    const openslideRate = typeof openslide === 'string' ? null : openslide.tilesPerSecond;
    const mine = Math.max(...run.tilesPerSecond);
    const notes = [
      `${tiles.length} distinct ${tile}x${tile} level-0 tiles of a ${width} x ${height} Leica SCN (two regions of ${size} x ${size / 2}, ${levels.length} levels, JPEG 4:2:0, 512-px tiles as the SCN400 writes them; OpenSlide reads the same tiles from the regions' bounding box at (${origin.join(', ')})); PathoLens keeps no decoded tiles (tileCacheBytes 0); best of 2 rounds (OpenSlide: best of a run before and one after Chromium, one thread).`,
      `Chromium: open ${run.openMs.toFixed(0)} ms (BigTIFF IFDs and the XML), home view (every tile of the level that fits 1280x800) ${run.firstViewMs.toFixed(0)} ms; decode pool on ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the end.`,
    ];
    if (typeof openslide === 'string') notes.push(openslide);
    return {
      title: `Leica SCN tiles: ${width} x ${height} (two regions), ${tiles.length} level-0 tiles`,
      columns: ['path', 'tiles/s', 'open ms', 'home view ms', '÷ OpenSlide'],
      rows: [
        {
          path: 'PathoLens (Chromium, regions placed, native JPEG in workers)',
          'tiles/s': mine,
          'open ms': run.openMs,
          'home view ms': run.firstViewMs,
          '÷ OpenSlide': openslideRate ? mine / openslideRate : null,
        },
        {
          path: `OpenSlide read_region${typeof openslide === 'string' ? '' : ` ${openslide.version}`}`,
          'tiles/s': openslideRate,
          'open ms': null,
          'home view ms': null,
          '÷ OpenSlide': 1,
        },
      ],
      notes,
      details: { size, width, height, tile, origin, tiles: tiles.length, run, openslide: { before: openslideBefore, after: openslideAfter } },
    };
  },
};

export default suite;
