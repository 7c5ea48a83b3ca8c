/**
 * Where a placed-tile format's time goes in Chromium (issue #15: Ventana BIF, Leica SCN, MRXS): the tiles-bif /
 * tiles-scn / tiles-mrxs benchmark's slide and level-0 tiles, one round through the test hook's openSlide
 * (tileCacheBytes 0, as the benchmarks), with the main thread's CPU profile (Chrome DevTools Protocol Profiler)
 * grouped by function and the decode workers' own time (DecodePool.stats()) against wall time x workers.
 *
 *   tsx bench/profile-placed.ts bif|scn|mrxs [--size 8192] [--tiles 200]
 *
 * Uses the slides the benchmarks wrote in /tmp/patholens-bench (run the benchmark once first).
 */
import { existsSync, readdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { option } from './suites/tiles';
import { selfTimes, type CpuProfile } from './cpu-profile';
import { openBenchApp } from './suites/tiles-chromium';
import { levelZeroTiles } from './tiles/vendor-runner';

const args = process.argv.slice(2);
const format = args[0];
if (format !== 'bif' && format !== 'scn' && format !== 'mrxs') throw new Error('usage: tsx bench/profile-placed.ts bif|scn|mrxs [--size N] [--tiles N]');
const size = option(args, '--size', 8192);
const count = option(args, '--tiles', format === 'mrxs' ? 400 : 200);
const dir = path.join(tmpdir(), 'patholens-bench');
const file = path.join(dir, `tiles-${size}.${format}`);
if (!existsSync(file)) throw new Error(`${file} is missing: run npm run bench -- tiles-${format} --size ${size} first.`);
const files = format === 'mrxs' ? readdirSync(path.join(dir, `tiles-${size}`)).map((name) => path.join(dir, `tiles-${size}`, name)) : [file];
const { tiles } = await levelZeroTiles(file, count);

const app = await openBenchApp(4197, files);
try {
  const cdp = await app.page.context().newCDPSession(app.page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await app.page.evaluate(async (warm) => {
    type Hook = { openSlide(i: unknown, o: object): Promise<unknown> };
    const w = window as unknown as { __patholens: Hook; __slide: unknown };
    const picked = [...(document.getElementById('bench-files') as HTMLInputElement).files!];
    const slide = (await w.__patholens.openSlide(picked.length === 1 ? picked[0] : { files: picked }, { tileCacheBytes: 0 })) as {
      readTile(l: number, c: number, r: number): Promise<unknown>;
    };
    await Promise.all(warm.map(([c, r]) => slide.readTile(0, c, r)));
    w.__slide = slide;
  }, tiles.slice(-30));
  await cdp.send('Profiler.start');
  const run = await app.page.evaluate(async (tiles) => {
    type Pool = { stats(): { workers: number; decoded: number; decodeMs: number } };
    const w = window as unknown as {
      __patholens: { decodePool(): Pool };
      __slide: { readTile(l: number, c: number, r: number): Promise<unknown>; close(): Promise<void> };
    };
    const pool = w.__patholens.decodePool();
    const before = pool.stats();
    const t0 = performance.now();
    await Promise.all(tiles.map(([c, r]) => w.__slide.readTile(0, c, r)));
    const wallMs = performance.now() - t0;
    const after = pool.stats();
    await w.__slide.close();
    return {
      wallMs,
      tilesPerSecond: tiles.length / (wallMs / 1000),
      workers: after.workers,
      decoded: after.decoded - before.decoded,
      workerMs: after.decodeMs - before.decodeMs,
    };
  }, tiles);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  const { totalMs, busyMs, top } = selfTimes(profile);
  console.log(
    `${tiles.length} level-0 tiles of ${file}: ${run.wallMs.toFixed(0)} ms wall, ${run.tilesPerSecond.toFixed(1)} tiles/s, load ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(`main thread: ${totalMs.toFixed(0)} ms profiled, ${busyMs.toFixed(0)} ms running JS (${(busyMs / tiles.length).toFixed(2)} ms per tile)`);
  console.log(
    `workers: ${run.workers}, ${run.decoded} jobs, ${run.workerMs.toFixed(0)} ms in workers (${(run.workerMs / Math.max(1, run.decoded)).toFixed(2)} ms per job; ${((100 * run.workerMs) / (run.wallMs * run.workers)).toFixed(0)}% of wall x workers)`,
  );
  console.log('main-thread self time (ms):');
  for (const [key, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)}  ${key}`);
} finally {
  await app.close();
}
