/**
 * `npm run bench -- tiles-dicom [--size 16384] [--tiles 400]`: DICOM WSI tiles side by side with OpenSlide, in
 * one run, on one series: the benchmark's generated JPEG SVS converted by wsidicomizer (frames = the SVS tiles).
 *  - PathoLens in Chromium from the files on disk (openSlide({ files }), the viewer's "Open folder" path);
 *  - PathoLens in Chromium from Orthanc's DICOMweb (WADO-RS frame lists) behind the app's origin;
 *  - Orthanc alone: the same frames with the same requests from Node, not decoded (the server's floor);
 *  - OpenSlide 4 read_region of the same level-0 tiles from the .dcm files, one thread.
 * Also the time from open to the home view decoded, for files and DICOMweb.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOrthanc } from '../../tests/fixtures/orthanc';
import { largestInstanceUrl, measureFloor, oldPlan, type FloorRun } from '../tiles/dicomweb-floor';
import type { BenchContext, BenchReport, BenchSuite } from '../suite';
import { generatedSvs, option, pickTiles, runOpenSlide, betterOpenSlideRun } from './tiles';
import { measureTilesInPage, openBenchApp, type PageRun } from './tiles-chromium';
import { MAX_FRAME_LIST_CHARS, MAX_REQUESTS_IN_FLIGHT } from '../../src/slide/dicom/frame-batcher';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ORTHANC_PORT = 8143;

async function dicomize(svs: string, folder: string): Promise<void> {
  const python = path.join(root, '.venv/bin/python');
  await new Promise<void>((resolve, reject) =>
    execFile(python, [path.join(root, 'bench/tiles/dicomize.py'), svs, folder], { maxBuffer: 1 << 20 }, (error, _out, stderr) =>
      error
        ? reject(
            new Error(`wsidicomizer failed (pip install wsidicomizer; apt-get install libturbojpeg0): ${stderr.trim().split('\n').pop() ?? error.message}`),
          )
        : resolve(),
    ),
  );
}

const suite: BenchSuite = {
  name: 'tiles-dicom',
  description: 'DICOM WSI JPEG tiles/s in Chromium (files and Orthanc DICOMweb) vs OpenSlide on the same series',
  async run({ args, log }: BenchContext): Promise<BenchReport> {
    const size = option(args, '--size', 16_384);
    const count = option(args, '--tiles', 400);
    const svs = await generatedSvs(size, log);
    const folder = path.join(path.dirname(svs), `tiles-${size}-dicom`);
    if (!existsSync(folder) || readdirSync(folder).length === 0) {
      log('converting it to DICOM with wsidicomizer (once) ...');
      await dicomize(svs, folder);
    }
    const files = readdirSync(folder)
      .filter((name) => name.endsWith('.dcm'))
      .map((name) => path.join(folder, name));
    const columns = Math.ceil(size / 256);
    const tiles = pickTiles(columns, columns, count);

    log('OpenSlide read_region on the DICOM files ...');
    const openslideBefore = await runOpenSlide(files[0]!, tiles);

    log('starting Orthanc and loading the series ...');
    const orthanc = await startOrthanc(ORTHANC_PORT, files);
    log('building the app (production) and opening Chromium ...');
    const app = await openBenchApp(4198, files, orthanc.dicomWeb);
    let fileRun: PageRun;
    let webRun: PageRun;
    let seriesUrl: string;
    let floor: FloorRun;
    let floorOldBatching: FloorRun;
    let floorOnePerRequest: FloorRun;
    try {
      log(`decoding ${tiles.length} tiles from the files in Chromium ...`);
      fileRun = await measureTilesInPage(app.page, { files: true }, tiles);
      const series = (await (await fetch(`${orthanc.dicomWeb}/series`, { headers: { Accept: 'application/dicom+json' } })).json()) as Record<
        string,
        { Value: string[] }
      >[];
      seriesUrl = `${app.url.replace(/\/$/, '')}/dicomweb/studies/${series[0]!['0020000D']!.Value[0]}/series/${series[0]!['0020000E']!.Value[0]}`;
      log(`decoding ${tiles.length} tiles from DICOMweb in Chromium ...`);
      webRun = await measureTilesInPage(app.page, { url: seriesUrl }, tiles);
      log('the same frames from Orthanc with Node fetch, no decode (the server floor) ...');
      const instanceUrl = await largestInstanceUrl(seriesUrl.replace(/^.*?\/dicomweb/, orthanc.dicomWeb));
      const frames = tiles.map(([c, r]) => r * columns + c + 1); // TILED_FULL: frames row by row, 1-based
      floor = await measureFloor(instanceUrl, frames);
      floorOldBatching = await measureFloor(instanceUrl, frames, oldPlan, 6);
      floorOnePerRequest = await measureFloor(instanceUrl, frames.slice(0, 60), (f) => f.map((frame) => [frame]), 6, 1);
    } finally {
      await app.close();
      await orthanc.stop();
    }
    log('OpenSlide read_region again ...');
    const openslideAfter = await runOpenSlide(files[0]!, tiles);
    const openslide = betterOpenSlideRun(openslideBefore, openslideAfter);
    const openslideRate = typeof openslide === 'string' ? null : openslide.tilesPerSecond;
    const best = (values: number[]) => Math.max(...values);
    const row = (name: string, perSecond: number | null, run: PageRun | null) => ({
      path: name,
      'tiles/s': perSecond,
      'open ms': run ? Math.round(run.openMs) : null,
      'home view ms': run ? Math.round(run.firstViewMs) : null,
      '÷ OpenSlide': perSecond && openslideRate ? perSecond / openslideRate : null,
    });
    const notes = [
      `${tiles.length} distinct 256x256 level-0 JPEG frames of a ${size} x ${size} series (wsidicomizer from the generated SVS, TILED_FULL, Basic Offset Table); no tile cache; best of 2 rounds (OpenSlide: best of a run before and one after Chromium, one thread).`,
      `Chromium decode pool on ${cpus().length} cores; load average ${loadavg()[0]!.toFixed(1)} at the end. DICOMweb: WADO-RS frame lists (tiles asked for together, a frame list up to ${MAX_FRAME_LIST_CHARS} characters a request, ${MAX_REQUESTS_IN_FLIGHT} in flight) from Orthanc on 127.0.0.1 through Vite's preview proxy (same origin); OpenSlide reads local files, so this row includes HTTP and Orthanc's own frame extraction.`,
      `Orthanc alone (direct, no proxy): ${floor.msPerRequest.toFixed(0)} ms a request whatever its size; with the earlier batching (24 frames a request, 6 in flight) ${best(floorOldBatching.tilesPerSecond).toFixed(0)} tiles/s; one frame a request ${best(floorOnePerRequest.tilesPerSecond).toFixed(1)} tiles/s (60 frames).`,
      'home view ms: from openSlide to every tile of the level that fits 1280x800 decoded.',
    ];
    if (typeof openslide === 'string') notes.push(openslide);
    return {
      title: `DICOM WSI tiles: ${size} x ${size} JPEG series, ${tiles.length} tiles`,
      columns: ['path', 'tiles/s', 'open ms', 'home view ms', '÷ OpenSlide'],
      rows: [
        row('PathoLens, DICOM files (Chromium, native JPEG in workers)', best(fileRun.tilesPerSecond), fileRun),
        row('PathoLens, DICOMweb from Orthanc (Chromium)', best(webRun.tilesPerSecond), webRun),
        row(
          `Orthanc alone: same frames, same requests (${floor.framesPerRequest} frames, ${floor.inFlight} in flight), Node fetch, no decode`,
          best(floor.tilesPerSecond),
          null,
        ),
        row(`OpenSlide read_region, DICOM files${typeof openslide === 'string' ? '' : ` ${openslide.version}`}`, openslideRate, null),
      ],
      notes,
      details: {
        size,
        tiles: tiles.length,
        fileRun,
        webRun,
        seriesUrl,
        floor,
        floorOldBatching,
        floorOnePerRequest,
        openslide: { before: openslideBefore, after: openslideAfter },
      },
    };
  },
};

export default suite;
