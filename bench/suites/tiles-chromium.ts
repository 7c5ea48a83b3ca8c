/**
 * What the tiles-* suites share: the production build served by Vite's preview server (optionally proxying a
 * DICOMweb server to /dicomweb), a Chromium page with the app's test hook and a hidden file input holding the
 * slide's files from disk, and the in-page measurement (open, home view, level-0 tiles/s through openSlide).
 * Not a suite itself (no default export).
 */
import path from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { build, preview } from 'vite';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../../e2e/chromium';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface PageRun {
  openMs: number;
  /** From openSlide to every tile of the level that fits 1280x800 decoded. */
  firstViewMs: number;
  tilesPerSecond: number[];
}

export interface BenchApp {
  url: string;
  page: Page;
  close(): Promise<void>;
}

/** Builds the app, serves it on `port` (a free one if taken) and opens a page whose hidden input holds `files`. */
export async function openBenchApp(port: number, files: string[], dicomWebTarget?: string): Promise<BenchApp> {
  const outDir = path.join(tmpdir(), 'patholens-bench', 'dist');
  process.env.VITE_PATHOLENS_TEST_HOOK = 'true'; // the benchmark drives the app through its test hook
  await build({ root, logLevel: 'warn', publicDir: false, build: { outDir, emptyOutDir: true } });
  const proxy = dicomWebTarget
    ? { '/dicomweb': { target: dicomWebTarget, changeOrigin: true, rewrite: (p: string) => p.replace(/^\/dicomweb/, '') } }
    : undefined;
  const server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { port, strictPort: false, host: '127.0.0.1', proxy } });
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: QUIET_CHROMIUM_FLAGS });
  const close = async () => {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // tsx compiles the page functions with esbuild's keepNames, which calls a `__name` helper.
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    await page.goto(url);
    await page.waitForFunction(() => typeof (window as unknown as { __patholens?: { openSlide?: unknown } }).__patholens?.openSlide === 'function');
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = true;
      input.id = 'bench-files';
      input.style.display = 'none';
      document.body.append(input);
    });
    // Real Files backed by the disk, as when a user picks the slide.
    if (files.length > 0) await page.setInputFiles('#bench-files', files);
    return { url, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** In the page: open the input's file(s) (or a URL), draw the home view, then time level-0 tile rounds. */
export async function measureTilesInPage(
  page: Page,
  input: { url: string } | { files: true },
  tiles: [number, number][],
  /** More openSlide options (e.g. `pageReadsBytes` to compare with the page reading the bytes). */
  open: Record<string, unknown> = {},
): Promise<PageRun> {
  return page.evaluate(
    async ({ input, tiles, open }) => {
      type Slide = {
        metadata: { levels: { width: number; height: number; tileWidth: number; tileHeight: number }[] };
        readTile(l: number, c: number, r: number): Promise<unknown>;
        close(): Promise<void>;
      };
      const hook = (window as unknown as { __patholens: { openSlide(i: unknown, o: object): Promise<Slide> } }).__patholens;
      const files = [...(document.getElementById('bench-files') as HTMLInputElement).files!];
      const target = 'url' in input ? input.url : files.length === 1 ? files[0] : { files };
      const t0 = performance.now();
      const slide = await hook.openSlide(target, { ...open, tileCacheBytes: 0 });
      const openMs = performance.now() - t0;
      const levels = slide.metadata.levels;
      const home = levels.findIndex((l) => l.width <= 1280 && l.height <= 800);
      const k = home === -1 ? levels.length - 1 : home;
      const level = levels[k]!;
      const jobs: Promise<unknown>[] = [];
      for (let r = 0; r < Math.ceil(level.height / level.tileHeight); r++)
        for (let c = 0; c < Math.ceil(level.width / level.tileWidth); c++) jobs.push(slide.readTile(k, c, r));
      await Promise.all(jobs);
      const firstViewMs = performance.now() - t0;
      await Promise.all(tiles.slice(0, 30).map(([c, r]) => slide.readTile(0, c, r)));
      const rates: number[] = [];
      for (let round = 0; round < 2; round++) {
        const start = performance.now();
        await Promise.all(tiles.map(([c, r]) => slide.readTile(0, c, r)));
        rates.push(tiles.length / ((performance.now() - start) / 1000));
      }
      await slide.close();
      return { openMs, firstViewMs, tilesPerSecond: rates };
    },
    { input, tiles, open },
  );
}
