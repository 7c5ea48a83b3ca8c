/**
 * Where an NDPI tile's time goes in Chromium (issue #15): the tiles-ndpi benchmark's file and tiles, one round of
 * level-0 tiles through the test hook's openSlide, with
 * - the main thread's CPU profile (Chrome DevTools Protocol Profiler through Playwright's CDPSession), its self
 *   time grouped by function,
 * - the main thread's Blob reads (Blob.prototype.arrayBuffer wrapped in the page: count, bytes, time in flight),
 * - the decode workers' own time (DecodePool.stats().decodeMs: from a request's arrival to its answer, bytes read
 *   in the worker included) against the round's wall time x workers.
 *
 *   tsx bench/profile-ndpi.ts [--size 8192] [--tiles 400] [--out bench/results/profile-ndpi.json]
 *
 * Uses /tmp/patholens-bench/tiles-SIZE.ndpi (written by `npm run bench -- tiles-ndpi`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { option, pickTiles } from './suites/tiles';
import { selfTimes, type CpuProfile } from './cpu-profile';
import { openBenchApp } from './suites/tiles-chromium';

const args = process.argv.slice(2);
const size = option(args, '--size', 8192);
const count = option(args, '--tiles', 400);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
const file = path.join(tmpdir(), 'patholens-bench', `tiles-${size}.ndpi`);
if (!existsSync(file)) throw new Error(`${file} is missing: run npm run bench -- tiles-ndpi --size ${size} first.`);
const tiles = pickTiles(Math.ceil(size / 256), Math.ceil(size / 256), count);

const app = await openBenchApp(4198, [file]);
try {
  const cdp = await app.page.context().newCDPSession(app.page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  // Open and warm up (workers started, JPEG decoder loaded), then wrap Blob reads.
  await app.page.evaluate(async (warm) => {
    type Hook = { openSlide(i: unknown, o: object): Promise<unknown>; decodePool(): { stats(): unknown } };
    const w = window as unknown as { __patholens: Hook; __slide: unknown; __reads: { n: number; bytes: number; ms: number } };
    const file = (document.getElementById('bench-files') as HTMLInputElement).files![0]!;
    const slide = (await w.__patholens.openSlide(file, { tileCacheBytes: 0 })) as { readTile(l: number, c: number, r: number): Promise<unknown> };
    await Promise.all(warm.map(([c, r]) => slide.readTile(0, c, r)));
    w.__slide = slide;
    w.__reads = { n: 0, bytes: 0, ms: 0 };
    const original = Blob.prototype.arrayBuffer;
    Blob.prototype.arrayBuffer = async function (this: Blob) {
      const t = performance.now();
      const result = await original.call(this);
      w.__reads.n++;
      w.__reads.bytes += result.byteLength;
      w.__reads.ms += performance.now() - t;
      return result;
    };
  }, tiles.slice(-30));
  await cdp.send('Profiler.start');
  const run = await app.page.evaluate(async (tiles) => {
    type Pool = { stats(): { workers: number; decoded: number; decodeMs: number } };
    const w = window as unknown as {
      __patholens: { decodePool(): Pool };
      __slide: { readTile(l: number, c: number, r: number): Promise<unknown>; close(): Promise<void> };
      __reads: { n: number; bytes: number; ms: number };
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
      mainThreadBlobReads: { ...w.__reads },
    };
  }, tiles);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  const { totalMs, busyMs, top } = selfTimes(profile);
  console.log(
    `${count} level-0 tiles of ${file}: ${run.wallMs.toFixed(0)} ms wall, ${run.tilesPerSecond.toFixed(1)} tiles/s, load ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(`main thread: ${totalMs.toFixed(0)} ms profiled, ${busyMs.toFixed(0)} ms running JS (${(busyMs / count).toFixed(2)} ms per tile)`);
  const reads = run.mainThreadBlobReads;
  console.log(
    `main-thread Blob reads: ${reads.n}, ${(reads.bytes / 2 ** 20).toFixed(1)} MiB (${(reads.bytes / count / 1024).toFixed(1)} KiB per tile), ${reads.ms.toFixed(0)} ms summed in flight`,
  );
  console.log(
    `workers: ${run.workers}, ${run.decoded} jobs, ${run.workerMs.toFixed(0)} ms in workers (${(run.workerMs / run.decoded).toFixed(2)} ms per job; ${((100 * run.workerMs) / (run.wallMs * run.workers)).toFixed(0)}% of wall x workers)`,
  );
  console.log('main-thread self time (ms):');
  for (const [key, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)}  ${key}`);
  if (out) writeFileSync(out, JSON.stringify({ file, size, tiles: count, load: loadavg(), run, top }, null, 2));
} finally {
  await app.close();
}
