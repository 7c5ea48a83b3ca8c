/**
 * The runner the vendor tiles-* suites share (tiles-mrxs, tiles-bif, tiles-philips): given the slide's files on
 * disk (what the page opens), the path OpenSlide opens, the level-0 tile size and where tile (0, 0) starts, and the
 * level-0 tiles to read, it measures in one run, alternating so that both get the same noise on a shared machine:
 *   OpenSlide 4 read_region (bench/tiles/openslide_tiles.py, one thread) → PathoLens in Chromium (the production
 *   build, Files from disk, measureTilesInPage: open, home view, 2 rounds of level-0 tiles) → OpenSlide → …
 * ending with OpenSlide (passes Chromium passes, passes + 1 OpenSlide runs). It records the load average before and
 * after and warns when it is above the core count. Not a suite itself (no default export).
 * (tiles-scn uses it too; tiles-ndpi and tiles-dicom run their own two-path / DICOMweb rounds.)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSlideNode } from '../../src/slide/open-slide-node';
import type { SlideMetadata } from '../../src/slide/slide-source';
import type { BenchReport } from '../suite';
import { pickTiles, type OpenSlideRun } from '../suites/tiles';
import { measureTilesInPage, openBenchApp, type PageRun } from '../suites/tiles-chromium';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const python = path.join(root, '.venv/bin/python');

/** The folder the bench slides are generated into once (in the system's temp folder), made if missing. */
export function benchFolder(): string {
  const dir = path.join(tmpdir(), 'patholens-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The slide's metadata, its level-0 tile size and `count` distinct level-0 tiles of it (the same pick every run). */
export async function levelZeroTiles(file: string, count: number): Promise<{ metadata: SlideMetadata; tile: number; tiles: [number, number][] }> {
  const probe = await openSlideNode({ path: file });
  const { metadata } = probe;
  await probe.close();
  const tile = metadata.levels[0]!.tileWidth;
  return { metadata, tile, tiles: pickTiles(Math.ceil(metadata.width / tile), Math.ceil(metadata.height / tile), count) };
}

/** Runs a Python script of the repository with the .venv's interpreter; rejects with stderr's last line. */
export function runPython(script: string, args: string[], stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(python, [path.join(root, script), ...args], { maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${script} failed: ${stderr.trim().split('\n').pop() ?? error.message}`)) : resolve(stdout),
    );
    child.stdin!.end(stdin);
  });
}

/** OpenSlide read_region of `tiles` (tile x tile at origin + (col, row) * tile, level 0), or why it could not run. */
export async function openSlideTiles(slidePath: string, tile: number, tiles: [number, number][], origin: [number, number] = [0, 0]): Promise<OpenSlideRun> {
  if (!existsSync(python)) return 'no .venv (run: python3 -m venv .venv && .venv/bin/pip install openslide-bin openslide-python)';
  try {
    const out = await runPython('bench/tiles/openslide_tiles.py', [], JSON.stringify({ path: slidePath, tile, tiles, warmup: 30, origin }));
    return JSON.parse(out) as { tilesPerSecond: number; version: string };
  } catch (error) {
    return `OpenSlide run failed: ${(error as Error).message}`;
  }
}

export interface VendorBenchJob {
  /** Port for Vite's preview server (a free one if taken). */
  port: number;
  /** The slide's files, given to the page as Files from disk (one file, or a folder's files). */
  files: string[];
  /** What OpenSlide opens (the file, or the .mrxs beside the folder). */
  openslidePath: string;
  /** Level-0 tile size both read (PathoLens' level-0 tile). */
  tile: number;
  /** Where tile (0, 0) lies in OpenSlide's level 0 (a Leica SCN's bounds); default (0, 0). */
  origin?: [number, number];
  tiles: [number, number][];
  /** Chromium passes (each 2 rounds), with an OpenSlide run before, between and after; default 1. */
  passes?: number;
  log: (message: string) => void;
}

export interface VendorBenchRun {
  /** Each Chromium pass (open, home view, two rounds of level-0 tiles/s). */
  page: PageRun[];
  /** Each OpenSlide run, in order (before, between, after). */
  openslide: OpenSlideRun[];
  /** Best round of all passes. */
  mine: number;
  /** Best OpenSlide run, or the first run's sentence when one could not run. */
  best: OpenSlideRun;
  cores: number;
  load: { before: number[]; after: number[] };
  /** Set when the load average was above the core count before or after. */
  warning?: string;
}

export async function runVendorBench(job: VendorBenchJob): Promise<VendorBenchRun> {
  const { files, openslidePath, tile, tiles, log } = job;
  const origin = job.origin ?? [0, 0];
  const passes = job.passes ?? 1;
  const cores = cpus().length;
  const before = loadavg();
  const openslide: OpenSlideRun[] = [];
  const page: PageRun[] = [];
  log(`OpenSlide read_region (load average ${before.map((l) => l.toFixed(1)).join(' ')}) ...`);
  openslide.push(await openSlideTiles(openslidePath, tile, tiles, origin));
  log('building the app (production) and opening Chromium ...');
  const app = await openBenchApp(job.port, files);
  try {
    for (let pass = 0; pass < passes; pass++) {
      log(`decoding ${tiles.length} tiles in Chromium (pass ${pass + 1} of ${passes}) ...`);
      page.push(await measureTilesInPage(app.page, { files: true }, tiles));
      log('OpenSlide read_region again ...');
      openslide.push(await openSlideTiles(openslidePath, tile, tiles, origin));
    }
  } finally {
    await app.close();
  }
  const after = loadavg();
  const failed = openslide.find((run) => typeof run === 'string');
  const best =
    failed ?? openslide.reduce((a, b) => ((a as { tilesPerSecond: number }).tilesPerSecond >= (b as { tilesPerSecond: number }).tilesPerSecond ? a : b));
  const high = Math.max(before[0]!, after[0]!);
  const warning =
    high > cores
      ? `load average ${before[0]!.toFixed(1)} before and ${after[0]!.toFixed(1)} after on ${cores} cores: other work shared the CPUs, the rates are lower than on a quiet machine (Chromium's decode pool more so than one-thread OpenSlide).`
      : undefined;
  if (warning) log(`warning: ${warning}`);
  return { page, openslide, mine: Math.max(...page.flatMap((run) => run.tilesPerSecond)), best, cores, load: { before, after }, warning };
}

/** The vendor suites' table: PathoLens' row (with open and home-view times) and OpenSlide's, and the common notes. */
export function vendorReport(title: string, pathoLensRow: string, run: VendorBenchRun, notes: string[], details: Record<string, unknown>): BenchReport {
  const openslideRate = typeof run.best === 'string' ? null : run.best.tilesPerSecond;
  const first = run.page[0]!;
  const rates = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
  const allNotes = [
    ...notes,
    `Chromium rounds ${rates(run.page.flatMap((p) => p.tilesPerSecond))} tiles/s; OpenSlide runs ${run.openslide.map((o) => (typeof o === 'string' ? 'failed' : o.tilesPerSecond.toFixed(0))).join(', ')} tiles/s (alternating, one thread; best of each kept).`,
    `Chromium: open ${first.openMs.toFixed(0)} ms, home view (every tile of the level that fits 1280x800 decoded) ${first.firstViewMs.toFixed(0)} ms; decode pool on ${run.cores} cores; load average ${run.load.before.map((l) => l.toFixed(2)).join(' ')} before, ${run.load.after.map((l) => l.toFixed(2)).join(' ')} after.`,
  ];
  if (run.warning) allNotes.push(`Warning: ${run.warning}`);
  if (typeof run.best === 'string') allNotes.push(run.best);
  return {
    title,
    columns: ['path', 'tiles/s', 'open ms', 'home view ms', '÷ OpenSlide'],
    rows: [
      {
        path: pathoLensRow,
        'tiles/s': run.mine,
        'open ms': Math.round(first.openMs),
        'home view ms': Math.round(first.firstViewMs),
        '÷ OpenSlide': openslideRate ? run.mine / openslideRate : null,
      },
      {
        path: `OpenSlide read_region${typeof run.best === 'string' ? '' : ` ${run.best.version}`}`,
        'tiles/s': openslideRate,
        'open ms': null,
        'home view ms': null,
        '÷ OpenSlide': 1,
      },
    ],
    notes: allNotes,
    details: { ...details, run: run.page[0], page: run.page, openslide: run.openslide, load: run.load, cores: run.cores },
  };
}
