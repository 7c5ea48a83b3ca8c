/**
 * DICOM WSI in real Chromium (production build, decode workers): the series in tests/fixtures/dicom opened
 * through "Open slide" (several files) and "Open folder", and through the test hook's openSlide({ files }) —
 * the viewer's own entry point — with every level compared here with OpenSlide's / wsidicom's pixels; and the
 * same series from Orthanc's DICOMweb, proxied to the app's origin under /dicomweb, through "Open URL".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { ORTHANC_TEST_PORT } from '../playwright.config';
import { fixturePath } from '../tests/fixtures';
import { startOrthanc, type OrthancServer } from '../tests/fixtures/orthanc';
import { compare } from '../tests/slide/fixtures';
import { expect, test } from './fixtures';
import { expectSlideOpen, expectTilesDrawn, field, gotoApp, info, readEveryLevelInPage } from './viewer-helpers';

const folder = (series: string) => fixturePath(`dicom/${series}`);
const filesOf = (series: string) =>
  readdirSync(folder(series))
    .sort()
    .map((name) => join(folder(series), name));

/** Opens the series' files through openSlide({ files }) in the page and reads each level whole. */
const readLevelsInPage = (page: Page, series: string) => readEveryLevelInPage(page, filesOf(series));

test.describe('DICOM WSI', () => {
  for (const [series, compression] of [
    ['jpeg-full', 'JPEG baseline'],
    ['j2k-full', 'JPEG 2000 lossless'],
    ['sparse-concat', 'uncompressed'],
    ['htj2k-level', 'HTJ2K lossless'],
  ] as const) {
    test(`${series}: every level in the browser equals the reference reader's pixels`, async ({ page, watch }) => {
      await gotoApp(page);
      const opened = await readLevelsInPage(page, series);
      expect([opened.format, opened.compression]).toEqual(['dicom', compression]);
      const note = JSON.parse(readFileSync(fixturePath(`dicom/${series}.json`), 'utf8')) as { levels: { png: string }[] };
      expect(opened.levels.length).toBe(note.levels.length);
      for (const [k, level] of opened.levels.entries()) {
        const { data, info: size } = await sharp(fixturePath(`dicom/${note.levels[k]!.png}`))
          .ensureAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([level.width, level.height]).toEqual([size.width, size.height]);
        const diff = compare(Buffer.from(level.base64, 'base64'), data);
        console.info(`${series} level ${k} in Chromium: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
        // JPEG through Chromium's libjpeg-turbo, JPEG 2000 through OpenJPEG, raw pixels: all exact here.
        expect(diff.mean).toBeLessThanOrEqual(0.05);
        expect(diff.max).toBeLessThanOrEqual(2);
      }
      expect(await watch.cspViolations()).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
    });
  }

  test('"Open slide" with all the files of a series: metadata, label in the panel, tiles drawn', async ({ page, watch }) => {
    await gotoApp(page);
    await page.getByLabel('Open slide').setInputFiles(filesOf('jpeg-full'));
    await expectSlideOpen(page, 'label-120x80.dcm and 5 more files');
    await expect(field(page, 'Format')).toHaveText('dicom');
    await expect(field(page, 'Dimensions')).toHaveText('600 × 420 px');
    await expect(field(page, 'Pixel size (MPP)')).toHaveText('0.25 µm/px');
    await expect(field(page, 'Compression')).toHaveText('JPEG baseline');
    await expect(info(page).getByTestId('slide-levels').getByRole('listitem')).toHaveCount(3);
    await expect(info(page).getByRole('img', { name: /Label image/i })).toBeVisible();
    await expectTilesDrawn(page);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });

  test('"Open folder" opens the series under the folder\'s name; a lone label gets a sentence', async ({ page }) => {
    await gotoApp(page);
    await page.getByLabel('Open folder').setInputFiles(folder('sparse-concat'));
    await expectSlideOpen(page, 'sparse-concat');
    await expect(field(page, 'Format')).toHaveText('dicom');
    await expectTilesDrawn(page);
    await page.getByLabel('Open slide').setInputFiles(join(folder('jpeg-full'), 'label-120x80.dcm'));
    await expect(page.getByRole('alert', { name: 'Errors' })).toContainText('only the label, overview or thumbnail of a DICOM slide');
    await expectSlideOpen(page, 'sparse-concat');
  });
});

test.describe("DICOMweb (Orthanc behind the app's origin)", () => {
  const study = '1.2.826.0.1.3680043.10.1432.1.1';
  let server: OrthancServer;
  test.beforeAll(async () => {
    server = await startOrthanc(ORTHANC_TEST_PORT, ['jpeg-full', 'j2k-full'].flatMap(filesOf));
  });
  test.afterAll(async () => server?.stop());

  test('a series URL typed into "Open URL" opens: metadata, label, tiles drawn, nothing blocked', async ({ page, watch, baseURL }) => {
    await gotoApp(page);
    const url = `${baseURL}/dicomweb/studies/${study}/series/1.2.826.0.1.3680043.10.1432.1.2`;
    await page.getByLabel('Slide URL').fill(url);
    await page.getByRole('button', { name: 'Open URL' }).click();
    await expectSlideOpen(page, '1.2.826.0.1.3680043.10.1432.1.2'); // the panel heads a URL with its last part
    await expect(field(page, 'Format')).toHaveText('dicom');
    await expect(field(page, 'Compression')).toHaveText('JPEG baseline');
    await expect(info(page).getByRole('img', { name: /Label image/i })).toBeVisible();
    await expectTilesDrawn(page);
    expect(watch.requests.some((request) => request.includes('/dicomweb/') && request.includes('/frames/'))).toBe(true);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });

  test('a server that asks for an access token: refused with a sentence without it, opened with the token typed next to the URL', async ({ page, baseURL }) => {
    // Orthanc here has no bearer-token check, so the page's requests pass through one that answers 401 without it.
    const seen: (string | undefined)[] = [];
    await page.route('**/dicomweb/**', (route) => {
      const authorization = route.request().headers()['authorization'];
      seen.push(authorization);
      return authorization === 'Bearer hospital-token' ? route.continue() : route.fulfill({ status: 401, body: 'token required' });
    });
    await gotoApp(page);
    const series = '1.2.826.0.1.3680043.10.1432.1.2';
    await page.getByLabel('Slide URL').fill(`${baseURL}/dicomweb/studies/${study}/series/${series}`);
    await page.getByRole('button', { name: 'Open URL' }).click();
    await expect(page.getByRole('alert', { name: 'Errors' })).toContainText('it needs a valid access token');
    await page.getByLabel('Access token (optional)').fill('hospital-token');
    await page.getByRole('button', { name: 'Open URL' }).click();
    await expectSlideOpen(page, series);
    await expectTilesDrawn(page);
    expect(seen.filter((header) => header === 'Bearer hospital-token').length).toBeGreaterThan(1);
    // Never stored: not in localStorage after use.
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain('hospital-token');
  });

  test("JPEG 2000 frames from the server decode in the workers to wsidicom's pixels", async ({ page, baseURL }) => {
    await gotoApp(page);
    const url = `${baseURL}/dicomweb/studies/${study}/series/1.2.826.0.1.3680043.10.1432.2.0`;
    const level0 = await page.evaluate(async (url) => {
      const hook = (
        window as unknown as {
          __patholens: {
            openSlide: (input: string) => Promise<{
              metadata: { width: number; height: number; compression: string };
              readRegion: (r: object, m: number | null) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
              close: () => Promise<void>;
            }>;
          };
        }
      ).__patholens;
      const slide = await hook.openSlide(url);
      const region = await slide.readRegion({ x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height }, null);
      let text = '';
      for (let i = 0; i < region.data.length; i += 0x8000) text += String.fromCharCode(...region.data.subarray(i, i + 0x8000));
      await slide.close();
      return { compression: slide.metadata.compression, base64: btoa(text) };
    }, url);
    expect(level0.compression).toBe('JPEG 2000 lossless');
    const { data } = await sharp(fixturePath('dicom/jpeg-full.level0.openslide.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const diff = compare(Buffer.from(level0.base64, 'base64'), data);
    console.info(`j2k-full over DICOMweb in Chromium: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
    expect(diff.mean).toBe(0);
  });
});
