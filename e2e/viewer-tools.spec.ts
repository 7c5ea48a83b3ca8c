import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectSlideOpen, expectTilesDrawn, field, focusSlide, gotoApp, info, openSlideFile, testdata } from './viewer-helpers';

const DEMO = fileURLToPath(new URL('../public/demo/demo-slide.svs', import.meta.url));

/** The screen points of the first ROI's outline, as the overlay draws them. */
async function roiPoints(page: Page): Promise<string> {
  return (await page.locator('[data-testid="roi-overlay"] polygon').first().getAttribute('points')) ?? '';
}

async function drawRectangle(page: Page, dx = 60, dy = 40) {
  const stage = (await page.getByTestId('slide-stage').boundingBox())!;
  const cx = stage.x + stage.width / 2;
  const cy = stage.y + stage.height / 2;
  await page.mouse.move(cx - dx, cy - dy);
  await page.mouse.down();
  await page.mouse.move(cx + dx, cy + dy, { steps: 6 });
  await page.mouse.up();
}

test.describe('viewer tools', () => {
  test('the demo slide opens at start: 40x presets exact, arrow keys pan, ROI area in mm²', async ({ page, watch }) => {
    expect(existsSync(DEMO), 'public/demo/demo-slide.svs is missing: run npm run make-demo-slide').toBe(true);
    await page.goto('/');
    await expectSlideOpen(page, 'demo-slide.svs');
    await expect(field(page, 'Dimensions')).toHaveText('16384 × 16384 px');
    await expect(field(page, 'Pixel size (MPP)')).toHaveText('0.25 µm/px');
    await expect(field(page, 'Objective power')).toHaveText('40x');
    await expectTilesDrawn(page);

    await expect(page.locator('[data-testid="slide-canvas"] .navigator')).toBeVisible();
    const readout = page.getByTestId('magnification');
    // The wheel zooms in at the cursor.
    const start = Number.parseFloat((await readout.textContent()) ?? '');
    const stage = (await page.getByTestId('slide-stage').boundingBox())!;
    await page.mouse.move(stage.x + stage.width / 3, stage.y + stage.height / 3);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => Number.parseFloat((await readout.textContent()) ?? '')).toBeGreaterThan(start * 1.2);
    await focusSlide(page);
    for (const [key, text] of [
      ['1', '1.25x'],
      ['2', '2.5x'],
      ['3', '5x'],
      ['4', '10x'],
      ['5', '20x'],
      ['6', '40x'],
    ] as const) {
      await page.keyboard.press(key);
      await expect(readout).toHaveText(text);
    }
    // At 40x one screen pixel is one 0.25 µm pixel: the scale bar is a round number of µm.
    await expect(page.getByTestId('scale-bar')).toHaveAttribute('aria-label', /^Scale bar: (10|20|50) µm$/);

    await page.keyboard.press('3');
    await expect(readout).toHaveText('5x');
    await page.keyboard.press('r');
    await drawRectangle(page, 100, 50);
    // 200 x 100 screen px at 5x = 1600 x 800 image px at 0.25 µm = 0.4 mm x 0.2 mm = 0.08 mm²
    await expect(info(page).getByTestId('roi-area')).toHaveText(/^0\.0[78]\d* mm²$/);
    await page.keyboard.press('Escape');

    const before = await roiPoints(page);
    await focusSlide(page);
    await page.keyboard.down('ArrowRight');
    await page.waitForTimeout(300);
    await page.keyboard.up('ArrowRight');
    await expect.poll(() => roiPoints(page)).not.toBe(before);
    const firstX = (points: string) => Number(points.split(/[ ,]/)[0]);
    // Panning right moves the slide (and its ROIs) left on screen.
    expect(firstX(await roiPoints(page))).toBeLessThan(firstX(before));
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });

  test('a slide without a pixel size says "unknown scale" everywhere and disables presets', async ({ page }) => {
    await gotoApp(page);
    await openSlideFile(page, 'boxes.png');
    await expectSlideOpen(page, 'boxes.png');
    await expect(field(page, 'Pixel size (MPP)')).toHaveText('unknown scale');
    await expect(page.getByTestId('magnification')).toHaveText('unknown scale');
    await expect(page.getByTestId('scale-bar')).toHaveAttribute('aria-label', 'Scale bar: unknown scale');
    await expect(page.getByRole('button', { name: '10x', exact: true })).toBeDisabled();
    await expectTilesDrawn(page);
    await focusSlide(page);
    await page.keyboard.press('r');
    await drawRectangle(page);
    await expect(info(page).getByTestId('roi-area')).toHaveText('unknown scale');
  });

  test('brightness, contrast and gamma change what is shown, and Reset restores it', async ({ page }) => {
    await gotoApp(page);
    await openSlideFile(page, 'boxes.tiff');
    await expectSlideOpen(page, 'boxes.tiff');
    await expectTilesDrawn(page);
    await page.waitForTimeout(1000); // let the opening animation and tile blending settle
    const stage = page.getByTestId('slide-canvas');
    const original = await stage.screenshot();

    await page.getByText('Display', { exact: true }).click();
    await page.getByLabel('Brightness').fill('0.5');
    await expect(page.getByTestId('slide-canvas')).toHaveCSS('filter', /url/);
    expect((await stage.screenshot()).equals(original)).toBe(false);

    await page.getByRole('button', { name: 'Reset display' }).click();
    await expect(page.getByTestId('slide-canvas')).toHaveCSS('filter', 'none');
    await page.getByLabel('Gamma').fill('2');
    expect((await stage.screenshot()).equals(original)).toBe(false);
  });

  test('a remote TIFF opens by URL through range requests', async ({ page }) => {
    const bytes = readFileSync(testdata('boxes.tiff'));
    const ranges: string[] = [];
    // Same origin as the app (the CSP allows only 'self'); answered here like a server that honours Range.
    await page.route('**/remote/boxes.tiff', async (route) => {
      const range = /bytes=(\d+)-(\d+)?/.exec(route.request().headers()['range'] ?? '');
      if (!range) return route.fulfill({ status: 200, body: bytes });
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
      ranges.push(`${start}-${end}`);
      return route.fulfill({
        status: 206,
        headers: { 'Content-Range': `bytes ${start}-${end}/${bytes.length}`, 'Content-Type': 'image/tiff' },
        body: bytes.subarray(start, end + 1),
      });
    });
    await gotoApp(page);
    await page.getByLabel('Slide URL').fill(new URL('/remote/boxes.tiff', page.url()).href);
    await page.getByRole('button', { name: 'Open URL' }).click();
    await expectSlideOpen(page, 'boxes.tiff');
    await expect(field(page, 'Dimensions')).toHaveText('300 × 250 px');
    await expectTilesDrawn(page);
    expect(ranges.length).toBeGreaterThan(0);

    await page.getByLabel('Slide URL').fill(new URL('/remote/missing.svs', page.url()).href);
    await page.getByRole('button', { name: 'Open URL' }).click();
    await expect(page.getByRole('alert', { name: 'Errors' })).toContainText('missing.svs');
    await expect(field(page, 'Dimensions')).toHaveText('300 × 250 px');
  });

  test('a IIIF image opens by URL and its tiles are drawn', async ({ page }) => {
    const png = readFileSync(testdata('boxes.png'));
    const tiles: string[] = [];
    await page.route('**/iiif/3/boxes/**', async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname.endsWith('/info.json')) {
        return route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({
            '@context': 'http://iiif.io/api/image/3/context.json',
            id: `${url.origin}/iiif/3/boxes`,
            type: 'ImageService3',
            protocol: 'http://iiif.io/api/image',
            profile: 'level0',
            width: 300,
            height: 250,
            tiles: [{ width: 512, scaleFactors: [1] }],
            preferredFormats: ['png'],
          }),
        });
      }
      tiles.push(url.pathname);
      // The one tile of a 300 x 250 image at scale factor 1 is the whole image.
      return route.fulfill({ contentType: 'image/png', body: png });
    });
    await gotoApp(page);
    await page.getByLabel('Slide URL').fill(new URL('/iiif/3/boxes/info.json', page.url()).href);
    await page.getByLabel('Slide URL').press('Enter');
    await expectSlideOpen(page, 'boxes');
    await expect(field(page, 'Format')).toHaveText('iiif');
    await expect(field(page, 'Dimensions')).toHaveText('300 × 250 px');
    await expectTilesDrawn(page);
    expect(tiles.length).toBeGreaterThan(0);
  });
});
