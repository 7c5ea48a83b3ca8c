/**
 * Readers that work by URL, against a local HTTP server: a remote SVS read with range requests, Deep Zoom and
 * IIIF (v2 and v3) pyramids written by libvips (sharp), compared with the picture they were made from.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError } from '../../src/slide/slide-source';
import { hePicture, meanAbsDiff, sharpTiff, toRgba } from './fixtures';

const picture = hePicture(900, 700);
const dir = mkdtempSync(join(tmpdir(), 'patholens-http-'));
let server: Server;
let base = '';
const requests: string[] = [];
let honourRanges = true;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(request.url!, 'http://x').pathname)));
    requests.push(`${request.url} ${request.headers.range ?? ''}`);
    if (!path.startsWith(dir)) return void response.writeHead(403).end();
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      // Under /app/, unknown paths get the start page with 200, as Vite and most single-page hosts answer.
      if (request.url!.startsWith('/app/'))
        return void response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>PathoLens</title>');
      return void response.writeHead(404).end();
    }
    const body = readFileSync(path);
    const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
    if (range && honourRanges) {
      const start = Number(range[1]);
      const end = Math.min(Number(range[2]), size - 1);
      response.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
      return void response.end(body.subarray(start, end + 1));
    }
    response.writeHead(200, { 'Content-Length': size }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  const raw = () => sharp(picture.data, { raw: { width: picture.width, height: picture.height, channels: 3 } });
  await raw().png().tile({ size: 256, overlap: 1, layout: 'dz' }).toFile(join(dir, 'deep.dz'));
  await raw()
    .png()
    .tile({ size: 256, layout: 'iiif', id: `${base}` })
    .toFile(join(dir, 'iiif2'));
  // v3 with JPEG tiles (libvips lists no formats in a v3 info.json, and jpg is the IIIF default).
  await raw()
    .jpeg({ quality: 95 })
    .tile({ size: 256, layout: 'iiif3', id: `${base}` })
    .toFile(join(dir, 'iiif3'));
  const svs = await sharpTiff(picture, {
    compression: 'deflate',
    tile: true,
    tileWidth: 256,
    tileHeight: 256,
    pyramid: true,
    xres: 4000,
    yres: 4000,
    resolutionUnit: 'cm',
  });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'remote.tiff'), svs);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function whole(url: string) {
  const slide = await openSlideNode({ url });
  const region = await slide.readRegion({ x: 0, y: 0, width: picture.width, height: picture.height }, null);
  return { slide, region };
}

describe('slides by URL', () => {
  it('a remote TIFF is read with range requests, never downloaded whole', async () => {
    requests.length = 0;
    const { slide, region } = await whole(`${base}/remote.tiff`);
    expect(slide.metadata.mppX).toBeCloseTo(0.25);
    expect(Buffer.from(region.data).equals(Buffer.from(toRgba(picture)))).toBe(true);
    expect(requests.every((line) => /bytes=\d+-\d+$/.test(line))).toBe(true);
    await slide.close();
  });

  it('a server that ignores Range is refused with a sentence', async () => {
    honourRanges = false;
    try {
      const error = await openSlideNode({ url: `${base}/remote.tiff` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SlideError);
      expect((error as Error).message).toMatch(/does not support range requests/);
    } finally {
      honourRanges = true;
    }
  });

  it('a missing URL says what the server answered', async () => {
    const error = await openSlideNode({ url: `${base}/nothing.dzi` }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/answered 404/);
    const tiff = await openSlideNode({ url: `${base}/nothing.svs` }).catch((e: unknown) => e);
    expect((tiff as Error).message).toBe(`No slide was found at ${base}/nothing.svs (the server answered 404 Not Found). Check the address.`);
  });

  it('a mistyped URL on a server that answers unknown paths with its start page is "not found", not a range problem', async () => {
    const error = await openSlideNode({ url: `${base}/app/slides/tpyo.svs` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(/^No slide was found at .*tpyo\.svs: the server answered with a web page/);
  });

  it('Deep Zoom: levels, overlap cropped, pixels equal the source', async () => {
    const { slide, region } = await whole(`${base}/deep.dzi`);
    expect(slide.metadata.format).toBe('dzi');
    expect(slide.metadata.levels[0]).toMatchObject({ width: 900, height: 700, tileWidth: 256 });
    expect(slide.metadata.levels[1]).toMatchObject({ width: 450, height: 350, downsample: 2 });
    expect(Buffer.from(region.data).equals(Buffer.from(toRgba(picture)))).toBe(true);
    await slide.close();
  });

  it.each(['iiif2', 'iiif3'])('IIIF %s: info.json, tile URLs as libvips wrote them, pixels equal the source', async (name) => {
    const { slide, region } = await whole(`${base}/${name}/info.json`);
    expect(slide.metadata.format).toBe('iiif');
    expect(slide.metadata.properties['iiif.version']).toBe(name === 'iiif3' ? '3' : '2');
    expect(slide.metadata.levels.length).toBeGreaterThan(1);
    if (name === 'iiif2') expect(Buffer.from(region.data).equals(Buffer.from(toRgba(picture)))).toBe(true);
    else expect(meanAbsDiff(region.data, toRgba(picture))).toBeLessThan(3);
    // A reduced level: close to the source shrunk by libvips.
    const half = await slide.readRegion({ x: 0, y: 0, width: 900, height: 700 }, null).then(() => slide.readTile(1, 0, 0));
    const reference = await sharp(picture.data, { raw: { width: 900, height: 700, channels: 3 } })
      .resize(450, 350)
      .extract({ left: 0, top: 0, width: half.width, height: half.height })
      .ensureAlpha()
      .raw()
      .toBuffer();
    expect(meanAbsDiff(half.data, reference)).toBeLessThan(4);
    await slide.close();
  });
});
