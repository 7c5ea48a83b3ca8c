import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { decode } from 'fast-png';
import { fixturePath } from '../tests/fixtures';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectTilesDrawn, focusSlide, gotoApp, info } from './viewer-helpers';

async function stageBox(page: Page) {
  const box = await page.getByTestId('slide-stage').boundingBox();
  if (!box) throw new Error('no slide stage');
  return box;
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await page.mouse.up();
}

/** RGBA pixels of a screen rectangle of the page. */
async function pixels(page: Page, clip: { x: number; y: number; width: number; height: number }) {
  const png = decode(await page.screenshot({ clip }));
  return png.data;
}

test('regions: outline-only selection leaves the tissue unchanged, select by click, move, vertex edit, ellipse, point, classes, hide, undo/redo, delete + undo', async ({
  page,
  watch,
}) => {
  await gotoApp(page);
  await expectTilesDrawn(page);
  const stage = await stageBox(page);
  const cx = stage.x + stage.width / 2;
  const cy = stage.y + stage.height / 2;
  // Inside the rectangle about to be drawn, away from its outline and handles.
  const inner = { x: Math.round(cx - 60 + 12), y: Math.round(cy - 40 + 12), width: 96, height: 56 };
  await page.waitForTimeout(500); // let the tiles settle before the reference picture
  const before = await pixels(page, inner);

  await focusSlide(page);
  await page.keyboard.press('r');
  await drag(page, { x: cx - 60, y: cy - 40 }, { x: cx + 60, y: cy + 40 });
  const items = info(page).getByTestId('roi-item');
  await expect(items).toHaveCount(1);
  await expect(page.locator('[data-testid="roi-overlay"] g[data-selected]')).toHaveCount(1);
  // Pixel test: the selected region's inside is exactly the tissue shown without it.
  expect(Buffer.compare(Buffer.from(await pixels(page, inner)), Buffer.from(before))).toBe(0);

  // Ellipse and point tools.
  await page.keyboard.press('o');
  await drag(page, { x: cx + 120, y: cy - 30 }, { x: cx + 200, y: cy + 30 });
  await page.keyboard.press('.');
  await page.mouse.click(cx - 150, cy + 80);
  await expect(items).toHaveCount(3);
  await expect(items.nth(1)).toContainText('Ellipse');
  await expect(items.nth(2)).toContainText('1 point');
  // As in QuPath, the next click adds to the selected set of points rather than starting a new region.
  await page.mouse.click(cx - 170, cy + 95);
  await expect(items).toHaveCount(3);
  await expect(items.nth(2)).toContainText('2 points');

  // Select by clicking the rectangle's shape, then move it by dragging.
  await page.keyboard.press('m');
  await page.mouse.click(cx, cy);
  await expect(page.locator('[data-testid="roi-overlay"] g[data-selected]')).toHaveAttribute('data-roi-name', 'Rectangle 1');
  const polygon = page.locator('[data-roi-name="Rectangle 1"] polygon');
  const start = await polygon.getAttribute('points');
  await drag(page, { x: cx, y: cy }, { x: cx + 30, y: cy + 20 });
  await expect.poll(() => polygon.getAttribute('points')).not.toBe(start);
  const moved = await polygon.getAttribute('points');
  // Resize by the bottom-right handle.
  await drag(page, { x: cx + 90, y: cy + 60 }, { x: cx + 130, y: cy + 90 });
  await expect.poll(() => polygon.getAttribute('points')).not.toBe(moved);

  // Undo twice (resize, move) gives the original outline back; redo moves it again.
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect.poll(() => polygon.getAttribute('points')).toBe(moved);
  await focusSlide(page);
  await page.keyboard.press('Control+z');
  await expect.poll(() => polygon.getAttribute('points')).toBe(start);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => polygon.getAttribute('points')).toBe(moved);

  // With the select tool, a drag that starts on no region moves the slide (the region goes along on screen).
  const firstCorner = async () => (await polygon.getAttribute('points'))!.split(' ')[0]!.split(',').map(Number);
  const [beforeX, beforeY] = await firstCorner();
  await drag(page, { x: cx - 220, y: cy - 140 }, { x: cx - 180, y: cy - 120 });
  await expect.poll(async () => (await firstCorner())[0]! - beforeX!).toBeCloseTo(40, 0);
  expect((await firstCorner())[1]! - beforeY!).toBeCloseTo(20, 0);
  await expect(page.locator('[data-testid="roi-overlay"] g[data-selected]')).toHaveCount(0);
  // Panning is not an edit: Undo still undoes the last move.
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await firstCorner())[0]! - beforeX!).not.toBeCloseTo(40, 0);
  await page.keyboard.press('Control+Shift+z');
  await page.mouse.click(cx + 40, cy + 20);
  await expect(page.locator('[data-testid="roi-overlay"] g[data-selected]')).toHaveAttribute('data-roi-name', 'Rectangle 1');

  // Class colour and hiding, per region and per class.
  await items.first().getByLabel('Class').selectOption('Tumor');
  await expect(polygon).toHaveAttribute('stroke', '#c80000');
  await items.first().getByLabel(/Shown/).uncheck();
  await expect(polygon).toHaveCount(0);
  await items.first().getByLabel(/Shown/).check();
  await info(page).getByText('Classes').click();
  await info(page).getByLabel('Shown Tumor regions').uncheck();
  await expect(polygon).toHaveCount(0);
  await info(page).getByLabel('Shown Tumor regions').check();
  await expect(polygon).toHaveCount(1);

  // Delete and undo: the same region comes back.
  await items
    .first()
    .getByRole('button', { name: /^Delete/ })
    .click();
  await expect(items).toHaveCount(2);
  await info(page).getByRole('button', { name: 'Undo delete' }).click();
  await expect(items).toHaveCount(3);
  await expect(polygon).toHaveAttribute('stroke', '#c80000');

  // GeoJSON: a bad file leaves the regions; QuPath's file imports (with a note for the MultiPolygon); export downloads it all.
  await info(page)
    .getByLabel('Import GeoJSON')
    .setInputFiles({ name: 'bad.geojson', mimeType: 'application/json', buffer: Buffer.from('{oops') });
  await expect(page.getByText(/Could not import bad\.geojson/)).toBeVisible();
  await expect(items).toHaveCount(3);
  await info(page).getByLabel('Import GeoJSON').setInputFiles(fixturePath('qupath/annotations.geojson'));
  await expect(items).toHaveCount(8);
  await expect(info(page).getByTestId('geojson-notes')).toContainText('MultiPolygon');
  const download = page.waitForEvent('download');
  await info(page).getByRole('button', { name: 'Export GeoJSON' }).click();
  const exported = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as {
    features: { geometry: { type: string }; properties: { name: string } }[];
  };
  expect(exported.features.map((f) => f.geometry.type)).toEqual(['Polygon', 'Polygon', 'MultiPoint', 'Polygon', 'Polygon', 'Polygon', 'Polygon', 'MultiPoint']);
  expect(exported.features[3]!.properties.name).toBe('Invasive front');

  const axe = await new AxeBuilder({ page }).include('[aria-label="Slide information"]').withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
});
