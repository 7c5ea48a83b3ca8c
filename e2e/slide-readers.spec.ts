/**
 * The slide readers in real Chromium, in the production build, through the decode worker pool: small.svs
 * (native JPEG decode with the Adobe APP14 fix), boxes.tiff (Deflate in geotiff.js), a generated JPEG 2000
 * slide (OpenJPEG WASM in the workers under the app's CSP) and bad files. Pixels are compared here in Node
 * with decodes made independently (libjpeg/libvips through sharp, or the source picture).
 *
 * Uses the documented test hook `window.__patholens.openSlide` (src/slide/open-slide.ts), which is the same
 * function the viewer's "Open slide" uses.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { fixturePath, readFixture } from '../tests/fixtures';
import { encodeJ2k, halve, hePicture, meanAbsDiff, pyramidTiff, sharpTiff, toRgba } from '../tests/slide/fixtures';
import type { PathoLensTestHook } from '../src/app/test-hook';
import type { BrowserOpenOptions } from '../src/slide/open-slide';
import type { SlideMetadata } from '../src/slide/slide-source';
import { expect, test } from './fixtures';

/** The page's test hook as the app declares it (a type only: erased before a function runs in the page). */
type HookWindow = { __patholens: PathoLensTestHook };

interface OpenedInBrowser {
  metadata: SlideMetadata;
  region: { width: number; height: number; level: number; base64: string };
}

/** Opens `bytes` as a File in the page through openSlide and reads a whole-slide region at `mpp`. */
async function openInPage(page: Page, name: string, bytes: Uint8Array, mpp: number | null, options: BrowserOpenOptions = {}): Promise<OpenedInBrowser> {
  return page.evaluate(
    async ({ name, base64, mpp, options }) => {
      const hook = (window as unknown as HookWindow).__patholens;
      const binary = atob(base64);
      const data = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      const slide = await hook.openSlide(new File([data], name), options);
      const { width, height } = slide.metadata;
      const region = await slide.readRegion({ x: 0, y: 0, width, height }, mpp);
      let text = '';
      for (let i = 0; i < region.data.length; i += 0x8000) text += String.fromCharCode(...region.data.subarray(i, i + 0x8000));
      await slide.close();
      return { metadata: slide.metadata, region: { width: region.width, height: region.height, level: region.level, base64: btoa(text) } };
    },
    { name, base64: Buffer.from(bytes).toString('base64'), mpp, options },
  );
}

async function openError(page: Page, name: string, bytes: Uint8Array): Promise<{ name: string; message: string }> {
  return page.evaluate(
    async ({ name, base64 }) => {
      const hook = (window as unknown as HookWindow).__patholens;
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      try {
        await hook.openSlide(new File([data], name));
        return { name: 'none', message: 'opened' };
      } catch (error) {
        return { name: (error as Error).name, message: (error as Error).message };
      }
    },
    { name, base64: Buffer.from(bytes).toString('base64') },
  );
}

function pixels(region: OpenedInBrowser['region']): Uint8Array {
  return new Uint8Array(Buffer.from(region.base64, 'base64'));
}

test.beforeEach(async ({ page, watch }, testInfo) => {
  void watch; // start recording errors and CSP violations before the page loads
  // Tests that count the decode pool's work must not share it with the viewer drawing the demo slide.
  if (!testInfo.title.includes('demo slide')) await page.route('**/demo/demo-slide.svs', (route) => route.fulfill({ status: 404, body: '' }));
  await page.goto('/');
  await page.waitForFunction(() => typeof (window as unknown as Partial<HookWindow>).__patholens?.openSlide === 'function');
});

test.afterEach(async ({ watch }) => {
  expect(watch.pageErrors).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
});

test('small.svs: Aperio metadata, and RGB JPEG pixels decoded natively in a worker match libjpeg with no colour transform', async ({ page }) => {
  const bytes = readFixture('small.svs');
  const opened = await openInPage(page, 'small.svs', bytes, null);
  expect(opened.metadata).toMatchObject({
    width: 16,
    height: 16,
    format: 'aperio-svs',
    compression: 'JPEG',
    objectivePower: 20,
    associatedImages: ['thumbnail'],
  });
  expect(opened.metadata.mppX).toBeCloseTo(0.499, 6);
  expect(opened.metadata.levels).toHaveLength(1);

  // Reference: the same reference the Node test uses (tables + tile with APP14 transform 0, through libjpeg).
  const { parseTiff, tagBytes } = await import('../src/slide/tiff-structure');
  const { bufferSource } = await import('../src/slide/byte-source');
  const file = await parseTiff(bufferSource('small.svs', bytes));
  const ifd = file.ifds[0]!;
  const u32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
  const tables = (await tagBytes(file, ifd, 347))!;
  const offset = u32((await tagBytes(file, ifd, 324))!);
  const count = u32((await tagBytes(file, ifd, 325))!);
  const app14 = [0xff, 0xee, 0, 14, 0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 0];
  const jpeg = Uint8Array.from([0xff, 0xd8, ...app14, ...tables.subarray(2, tables.length - 2), ...bytes.subarray(offset + 2, offset + count)]);
  const decoded = await sharp(jpeg).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const reference = new Uint8Array(16 * 16 * 4);
  for (let y = 0; y < 16; y++) reference.set(decoded.data.subarray(y * decoded.info.width * 4, (y * decoded.info.width + 16) * 4), y * 64);
  const got = pixels(opened.region);
  expect(meanAbsDiff(got, reference)).toBeLessThan(1.5);
  // ...and it was the browser's decoder that produced them, not the pure-JS fallback.
  const nativeDecodes = () => page.evaluate(() => (window as unknown as HookWindow).__patholens.decodePool().stats().native);
  expect(await nativeDecodes()).toBeGreaterThan(0);
  const before = await nativeDecodes();

  // geotiff.js's pure-JS decoder in the same workers agrees (the benchmark's baseline path).
  const pure = await openInPage(page, 'small.svs', bytes, null, { pureJsJpeg: true });
  expect(meanAbsDiff(pixels(pure.region), reference)).toBeLessThan(1.5);
  expect(await nativeDecodes()).toBe(before);
});

test("tiles for the viewer (ImageBitmaps from the workers, no readback) have exactly readTile's pixels, edge tiles cropped", async ({ page }) => {
  // A JPEG-tiled pyramid whose size leaves partial edge tiles, small.svs (RGB JPEG + APP14, a 16-px image in a bigger tile), an NDPI.
  const pyramid = await sharpTiff(hePicture(600, 500), { tile: true, tileWidth: 256, tileHeight: 256, compression: 'jpeg', quality: 85, pyramid: true });
  const slides = [
    ['pyramid.tiff', pyramid],
    ['small.svs', readFixture('small.svs')],
    ['hamamatsu-layout.ndpi', readFixture('ndpi/hamamatsu-layout.ndpi')], // NDPI: tiles joined from restart intervals
  ] as const;
  for (const [name, bytes] of slides) {
    const result = await page.evaluate(
      async ({ name, base64 }) => {
        const hook = (window as unknown as HookWindow).__patholens;
        const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const slide = await hook.openSlide(new File([data], name), { tileCacheBytes: 0 });
        let bitmaps = 0;
        let tiles = 0;
        let maxDiff = 0;
        const sizes: string[] = [];
        for (const [l, level] of slide.metadata.levels.entries()) {
          for (let r = 0; r < Math.ceil(level.height / level.tileHeight); r++) {
            for (let c = 0; c < Math.ceil(level.width / level.tileWidth); c++) {
              const rgba = await slide.readTile(l, c, r);
              const shown = await slide.readTileForDisplay!(l, c, r);
              tiles++;
              const { width, height } = shown;
              let pixels: Uint8ClampedArray;
              if ('data' in shown) pixels = shown.data;
              else {
                bitmaps++;
                const canvas = document.createElement('canvas');
                canvas.width = shown.width;
                canvas.height = shown.height;
                const context = canvas.getContext('2d', { willReadFrequently: true })!;
                context.drawImage(shown, 0, 0);
                pixels = context.getImageData(0, 0, shown.width, shown.height).data;
                shown.close();
              }
              if (width !== rgba.width || height !== rgba.height) sizes.push(`${l}/${c}/${r}: ${width}x${height} vs ${rgba.width}x${rgba.height}`);
              else for (let i = 0; i < pixels.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pixels[i]! - rgba.data[i]!));
            }
          }
        }
        await slide.close();
        return { tiles, bitmaps, maxDiff, sizes };
      },
      { name, base64: Buffer.from(bytes).toString('base64') },
    );
    expect(result.sizes, name).toEqual([]);
    expect(result.maxDiff, name).toBe(0);
    expect(result.bitmaps, name).toBe(result.tiles);
  }
});

test('boxes.tiff: pyramid, scale and level 0 equal boxes.png exactly', async ({ page }) => {
  const opened = await openInPage(page, 'boxes.tiff', readFixture('boxes.tiff'), null);
  expect(opened.metadata.levels.map((l) => [l.width, l.height])).toEqual([
    [300, 250],
    [150, 125],
    [75, 62],
    [37, 31],
  ]);
  expect(opened.metadata.mppX).toBeCloseTo(352.7778, 3);
  const png = await sharp(fixturePath('boxes.png')).ensureAlpha().raw().toBuffer();
  expect(Buffer.from(pixels(opened.region)).equals(png)).toBe(true);
});

test('generated JPEG 2000 (Aperio 33005) slide decodes exactly through OpenJPEG WASM in the workers', async ({ page }) => {
  const picture = hePicture(600, 520);
  const bytes = await pyramidTiff(
    [picture, halve(picture)],
    256,
    {
      compression: 33005,
      photometric: 2,
      samplesPerPixel: 3,
      description: 'Aperio Image Library v12.0.15 \r\n600x520 (256x256) J2K|AppMag = 40|MPP = 0.25',
    },
    (t) => encodeJ2k(t, 256, 256),
  );
  const opened = await openInPage(page, 'j2k.svs', bytes, null);
  expect(opened.metadata.compression).toBe('JPEG 2000 (Aperio 33005, RGB)');
  expect(Buffer.from(pixels(opened.region)).equals(Buffer.from(toRgba(picture)))).toBe(true);
  const low = await openInPage(page, 'j2k.svs', bytes, 0.5);
  expect([low.region.width, low.region.height, low.region.level]).toEqual([300, 260, 1]);
  expect(Buffer.from(pixels(low.region)).equals(Buffer.from(toRgba(halve(picture))))).toBe(true);
});

test('vendor layouts in the workers: Aperio 33003 with 2:1 chroma against OpenSlide, OME fluorescence channels against tifffile', async ({ page }) => {
  const cases: [string, string, number][] = [
    ['aperio-j2k-ycbcr-subsampled.svs', 'aperio-j2k-ycbcr-subsampled.svs.level0.openslide.png', 1],
    ['ome-fluorescence-uint16-12bit.ome.tiff', 'ome-fluorescence-uint16-12bit.ome.tiff.level0.tifffile-composite.png', 0.01],
    ['ome-fluorescence-int8.ome.tiff', 'ome-fluorescence-int8.ome.tiff.level0.tifffile-composite.png', 0.01],
  ];
  for (const [slide, reference, tolerance] of cases) {
    const opened = await openInPage(page, slide, readFixture(`vendor/${slide}`), null);
    const expected = await sharp(fixturePath(`vendor/${reference}`))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([opened.region.width, opened.region.height]).toEqual([expected.info.width, expected.info.height]);
    expect(meanAbsDiff(pixels(opened.region), expected.data), slide).toBeLessThan(tolerance);
  }
});

test('bad files are refused with a SlideError sentence and the page keeps working', async ({ page }) => {
  const cases: [string, Uint8Array, RegExp][] = [['notes.txt', new TextEncoder().encode('not a slide'), /not a slide PathoLens can read/]];
  cases.push(['unopenable.tiff', readFixture('unopenable.tiff'), /unknown compression \(TIFF code 52479\)/]);
  cases.push(['unreadable.svs', readFixture('unreadable.svs'), /could not be decoded/]);
  for (const [name, bytes, pattern] of cases) {
    const error = await openError(page, name, bytes);
    expect(error.name).toBe('SlideError');
    expect(error.message).toMatch(pattern);
  }
  const opened = await openInPage(page, 'boxes.tiff', readFixture('boxes.tiff'), null);
  expect(opened.metadata.width).toBe(300);
});

test('a plain PNG opens as a one-image slide with exact pixels and unknown scale', async ({ page }) => {
  const opened = await openInPage(page, 'boxes.png', readFixture('boxes.png'), null);
  expect(opened.metadata).toMatchObject({ format: 'image', width: 300, height: 250, mppX: null });
  const png = await sharp(fixturePath('boxes.png')).ensureAlpha().raw().toBuffer();
  expect(Buffer.from(pixels(opened.region)).equals(png)).toBe(true);
});

test('the demo slide opens by URL with range requests', async ({ page }) => {
  const demo = resolve(import.meta.dirname, '../public/demo/demo-slide.svs');
  // npm run test:e2e makes the demo slide first; without it this test fails rather than skips.
  expect(existsSync(demo), 'public/demo/demo-slide.svs is missing: run npm run make-demo-slide').toBe(true);
  const result = await page.evaluate(async () => {
    const hook = (window as unknown as HookWindow).__patholens;
    const slide = await hook.openSlide('/demo/demo-slide.svs');
    const overview = await slide.readRegion({ x: 0, y: 0, width: 16384, height: 16384 }, 16);
    let pink = 0;
    for (let i = 0; i < overview.data.length; i += 4) if (overview.data[i]! > 180 && overview.data[i + 1]! < 190 && overview.data[i + 2]! > 150) pink++;
    await slide.close();
    return {
      width: slide.metadata.width,
      mpp: slide.metadata.mppX,
      power: slide.metadata.objectivePower,
      levels: slide.metadata.levels.length,
      overview: overview.width,
      level: overview.level,
      pinkShare: pink / (overview.data.length / 4),
    };
  });
  expect(result).toMatchObject({ width: 16384, mpp: 0.25, power: 40, overview: 256, level: 6 });
  expect(result.pinkShare).toBeGreaterThan(0.2);
});
