/**
 * Where an SVS tile's time goes in Chromium (issue #18), outside the app: the tiles benchmark's slide and tiles,
 * decoded in plain workers by variants of the path, with the time each step takes in a worker and the CPU time
 * of Chromium's browser and renderer processes per tile (from /proc). Variants MODE:WORKERS:SLOTS, MODE one of
 *   rgba (read bytes, Blob, createImageBitmap, getImageData: the RGBA path), bitmap (same, the ImageBitmap
 *   transferred, no readback), direct-* (decode the File's slice itself: no check of the header, not safe),
 *   check-* (read the bytes, then decode the File's slice), vf (readback by VideoFrame.copyTo),
 *   row-rgba / row-bitmap (runs of 8 tiles that follow each other in the file, one read each), runs (the same
 *   runs, one read per run), and WebCodecs' ImageDecoder on the tile's bytes (no Blob): id-frame (its I420
 *   VideoFrame transferred, the page draws it into a tile canvas as the viewer would, and every 50th tile is
 *   compared with createImageBitmap's decode), id-bitmap (the frame turned into an ImageBitmap in the worker),
 *   id-rgba (the frame converted to RGBA by VideoFrame.copyTo in the worker, the page puts it into a canvas).
 *
 *   tsx bench/profile-tiles.ts rgba:2:2 bitmap:2:2 row-bitmap:2:2 runs:2:1 id-frame:2:2
 */
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';

/** CPU seconds (user + system) of this process's descendants, by Chromium process type. */
function chromiumCpu(): Record<string, number> {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      cpu.set(Number(name), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      /* gone */
    }
  }
  const out: Record<string, number> = {};
  for (const [pid, seconds] of cpu) {
    let p = parent.get(pid);
    while (p && p !== process.pid) p = parent.get(p);
    if (p !== process.pid) continue;
    let type = 'browser';
    try {
      type = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? 'browser';
      if (type === 'utility') type += ':' + (/--utility-sub-type=([a-zA-Z.]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? '');
    } catch {
      /* gone */
    }
    out[type] = (out[type] ?? 0) + seconds;
  }
  return out;
}
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../e2e/chromium';
import { pickTiles } from './suites/tiles';

const file = '/tmp/patholens-bench/tiles-50000.svs';
const index = JSON.parse(
  execFileSync('/work/main/.venv/bin/python', [
    '-c',
    `
import tifffile,json
p=tifffile.TiffFile('${file}').pages[0]
print(json.dumps([list(map(int,p.dataoffsets)), list(map(int,p.databytecounts))]))`,
  ]).toString(),
) as [number[], number[]];
const columns = Math.ceil(50000 / 256);
const at = (c: number, r: number) => [index[0][r * columns + c]!, index[1][r * columns + c]!];
const tiles = pickTiles(columns, columns, 600).map(([c, r]) => at(c, r));
// Runs of 8 tiles that follow each other in the file (this writer stores level 0 in quadtree order, so they are
// 2x2 neighbours; Aperio stores rows), 600 tiles in all: what reading neighbours in one slice could gain.
const byOffset = index[0]
  .slice(0, columns * columns)
  .map((o, i) => [o, index[1][i]!])
  .sort((a, b) => a[0]! - b[0]!);
const runs = pickTiles(columns, columns, 75).map(([c, r]) => {
  const start = Math.min(byOffset.length - 8, Math.floor(((r * columns + c) / (columns * columns)) * byOffset.length));
  return byOffset.slice(start, start + 8);
});
const variants = process.argv.slice(2);

const workerCode = `
let canvas, ctx;
const timing = { read: 0, bitmap: 0, readback: 0, n: 0 };
onmessage = async (e) => {
  const { id, blob, offset, length, mode, parts } = e.data;
  if (parts) {
    // One read for the run, then each tile decoded from its bytes.
    const t0 = performance.now();
    const start = parts[0][0], end = parts[parts.length - 1][0] + parts[parts.length - 1][1];
    const span = new Uint8Array(await blob.slice(start, end).arrayBuffer());
    timing.read += performance.now() - t0;
    const out = await Promise.all(parts.map(async ([o, l]) => {
      const bitmap = await createImageBitmap(new Blob([span.subarray(o - start, o - start + l)], { type: 'image/jpeg' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      timing.n++;
      return bitmap;
    }));
    postMessage({ id, bitmaps: out }, out);
    return;
  }
  if (mode === 'stats') { postMessage({ id, timing: { ...timing } }); timing.read = timing.bitmap = timing.readback = timing.n = 0; return; }
  const t0 = performance.now();
  let source;
  if (mode.includes('check')) { const bytes = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()); if (bytes[0] !== 0xff) throw new Error('x'); source = blob.slice(offset, offset + length, 'image/jpeg'); }
  else if (mode.includes('direct')) source = blob.slice(offset, offset + length, 'image/jpeg');
  else if (mode.startsWith('id-')) source = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
  else { const bytes = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()); source = new Blob([bytes], { type: 'image/jpeg' }); }
  const t1 = performance.now();
  if (mode.startsWith('id-')) {
    // WebCodecs' ImageDecoder: decodes from the bytes in this process, no Blob handed to the browser process.
    const decoder = new ImageDecoder({ data: source, type: 'image/jpeg', colorSpaceConversion: 'none', preferAnimation: false });
    const { image } = await decoder.decode();
    decoder.close();
    const t2 = performance.now();
    timing.read += t1 - t0; timing.bitmap += t2 - t1; timing.n++;
    if (mode === 'id-frame') {
      // Every 50th tile also decoded by createImageBitmap and read back: the page compares its drawing of the frame.
      let ref;
      if (timing.n % 50 === 1) {
        const bitmap = await createImageBitmap(new Blob([source], { type: 'image/jpeg' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
        if (!canvas) { canvas = new OffscreenCanvas(256, 256); ctx = canvas.getContext('2d', { willReadFrequently: true }); }
        ctx.clearRect(0, 0, 256, 256); ctx.drawImage(bitmap, 0, 0); bitmap.close();
        ref = ctx.getImageData(0, 0, 256, 256).data;
      }
      postMessage({ id, frame: image, ref, format: image.format }, [image]);
      return;
    }
    if (mode === 'id-rgba') {
      // The I420 frame converted to RGBA here (libyuv inside Chromium), the page puts it into its tile canvas.
      const data = new Uint8ClampedArray(image.displayWidth * image.displayHeight * 4);
      await image.copyTo(data, { format: 'RGBA' });
      image.close();
      timing.readback += performance.now() - t2;
      postMessage({ id, data, width: 256, height: 256 }, [data.buffer]);
      return;
    }
    const bitmap = await createImageBitmap(image); image.close();
    timing.readback += performance.now() - t2;
    postMessage({ id, bitmap }, [bitmap]);
    return;
  }
  const bitmap = await createImageBitmap(source, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const t2 = performance.now();
  timing.read += t1 - t0; timing.bitmap += t2 - t1; timing.n++;
  if (mode.includes('bitmap')) { postMessage({ id, bitmap }, [bitmap]); return; }
  if (mode.includes('vf')) {
    const frame = new VideoFrame(bitmap, { timestamp: 0 });
    const data = new Uint8ClampedArray(256 * 256 * 4);
    await frame.copyTo(data, { format: 'RGBA' });
    frame.close();
    let diff = -1;
    if (timing.n % 50 === 1) {
      if (!canvas) { canvas = new OffscreenCanvas(256, 256); ctx = canvas.getContext('2d', { willReadFrequently: true }); }
      ctx.clearRect(0, 0, 256, 256); ctx.drawImage(bitmap, 0, 0);
      const ref = ctx.getImageData(0, 0, 256, 256).data;
      diff = 0; for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(ref[i] - data[i]));
    }
    bitmap.close();
    timing.readback += performance.now() - t2;
    postMessage({ id, data, diff }, [data.buffer]);
    return;
  }
  if (!canvas) { canvas = new OffscreenCanvas(256, 256); ctx = canvas.getContext('2d', { willReadFrequently: true }); }
  ctx.clearRect(0, 0, 256, 256); ctx.drawImage(bitmap, 0, 0); bitmap.close();
  const data = ctx.getImageData(0, 0, 256, 256).data;
  timing.readback += performance.now() - t2;
  postMessage({ id, data }, [data.buffer]);
};`;

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: QUIET_CHROMIUM_FLAGS });
const page = await browser.newPage();
page.on('console', (m) => console.log('page: ' + m.text()));
await page.addInitScript({ content: 'window.__name = (f) => f;' });
// A page on 127.0.0.1 is a secure context (about:blank is not), which WebCodecs' ImageDecoder needs.
const server = createServer((_, response) => {
  response.writeHead(200, { 'Content-Type': 'text/html' });
  response.end('<input type="file" id="f"><script>window.__name = (f) => f;</script>');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
await page.setInputFiles('#f', file);
for (const variant of variants) {
  const [mode, workersText, slotsText] = variant.split(':');
  const cpuBefore = chromiumCpu();
  const result = await page.evaluate(
    async ({ code, tiles, mode, workers, slots }) => {
      const file = (document.getElementById('f') as HTMLInputElement).files![0]!;
      const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
      const pool = Array.from({ length: workers }, () => new Worker(url));
      let nextId = 0;
      let maxDiff = 0;
      const meanDiffs: number[] = [];
      const formats = new Set<string>();
      let count = 0;
      const waiting = new Map<number, (v: unknown) => void>();
      for (const w of pool) w.onerror = (e) => console.log('worker error ' + e.message);
      for (const w of pool)
        w.onmessage = (e) => {
          waiting.get(e.data.id)!(e.data);
          waiting.delete(e.data.id);
        };
      const call = (w: Worker, msg: object) =>
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the experiment worker answers loosely shaped messages
        new Promise<any>((resolve) => {
          const id = nextId++;
          waiting.set(id, resolve);
          w.postMessage({ id, ...msg });
        });
      const round = async (list: number[][]) => {
        let i = 0;
        const t = performance.now();
        let pageMs = 0;
        count += list.flat().length / (typeof list[0]![0] === 'number' ? 2 : 1);
        const lane = async (w: Worker) => {
          while (i < list.length) {
            const item = list[i++]!;
            const r =
              typeof item[0] === 'number'
                ? await call(w, { blob: file, offset: item[0], length: item[1], mode })
                : await call(w, { blob: file, parts: item, mode });
            const p0 = performance.now();
            if (r.diff > 0) maxDiff = Math.max(maxDiff, r.diff);
            if (r.bitmap) {
              r.bitmap.close();
            }
            if (r.data && r.width) {
              const tileCanvas = document.createElement('canvas');
              tileCanvas.width = r.width;
              tileCanvas.height = r.height;
              tileCanvas.getContext('2d', { willReadFrequently: true })!.putImageData(new ImageData(r.data, r.width, r.height), 0, 0);
            }
            if (r.frame) {
              // As the viewer does (tileCanvas): draw the tile into its own 2D canvas once.
              const tileCanvas = document.createElement('canvas');
              tileCanvas.width = r.frame.displayWidth;
              tileCanvas.height = r.frame.displayHeight;
              const tileContext = tileCanvas.getContext('2d', { willReadFrequently: true })!;
              tileContext.drawImage(r.frame, 0, 0);
              r.frame.close();
              if (r.ref) {
                const drawn = tileContext.getImageData(0, 0, 256, 256).data;
                let sum = 0;
                for (let k = 0; k < drawn.length; k++) {
                  const d = Math.abs(drawn[k]! - r.ref[k]);
                  sum += d;
                  maxDiff = Math.max(maxDiff, d);
                }
                meanDiffs.push(sum / drawn.length);
                formats.add(r.format);
              }
            }
            for (const b of r.bitmaps ?? []) b.close();
            pageMs += performance.now() - p0;
          }
        };
        await Promise.all(pool.flatMap((w) => Array.from({ length: slots }, () => lane(w))));
        const n = typeof list[0]![0] === 'number' ? list.length : list.flat().length;
        return { perSecond: n / ((performance.now() - t) / 1000), pageMs };
      };
      await round(tiles.slice(0, 40));
      for (const w of pool) await call(w, { mode: 'stats' });
      const rates = [];
      for (let k = 0; k < 2; k++) rates.push((await round(tiles)).perSecond);
      const stats = await Promise.all(pool.map((w) => call(w, { mode: 'stats' })));
      const n = stats.reduce((s, x) => s + x.timing.n, 0);
      const sum = (k: string) => stats.reduce((s, x) => s + x.timing[k], 0) / n;
      for (const w of pool) w.terminate();
      return {
        rates,
        readMs: sum('read'),
        bitmapMs: sum('bitmap'),
        readbackMs: sum('readback'),
        maxDiff,
        count,
        meanDiff: meanDiffs.reduce((a, b) => a + b, 0) / (meanDiffs.length || 1),
        formats: [...formats].join(','),
      };
    },
    {
      code: workerCode,
      tiles: (mode!.startsWith('runs') ? runs : mode!.startsWith('row') ? runs.flat() : tiles) as number[][],
      mode: mode!,
      workers: Number(workersText),
      slots: Number(slotsText),
    },
  );
  const cpuAfter = chromiumCpu();
  const cpuPerTile = Object.entries(cpuAfter)
    .filter(([type]) => type === 'browser' || type === 'renderer')
    .map(([type, seconds]) => `${type} ${(((seconds - (cpuBefore[type] ?? 0)) * 1000) / result.count).toFixed(2)}`)
    .join(', ');
  console.log(
    `  CPU ms per tile by process: ${cpuPerTile}${result.maxDiff > 0 ? `; VideoFrame pixels differ from createImageBitmap's by up to ${result.maxDiff}, mean ${result.meanDiff.toFixed(3)} (frame format ${result.formats})` : ''}`,
  );
  console.log(
    `${variant.padEnd(20)} tiles/s ${result.rates.map((r) => r.toFixed(0)).join(' / ')}  in worker per tile: read ${result.readMs.toFixed(2)} ms, createImageBitmap ${result.bitmapMs.toFixed(2)} ms, readback ${result.readbackMs.toFixed(2)} ms  (load ${loadavg()[0]!.toFixed(1)})`,
  );
}
await browser.close();
server.close();
