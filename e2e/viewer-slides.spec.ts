import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { expect, test } from './fixtures';
import { expectSlideOpen, expectTilesDrawn, field, focusSlide, gotoApp, info, openSlideFile, testdata } from './viewer-helpers';

test.describe('slide viewer', () => {
  test('opens small.svs through "Open slide": metadata, thumbnail in the panel, scale bar, tiles drawn', async ({ page, watch }) => {
    await gotoApp(page);
    await openSlideFile(page, 'small.svs');
    await expectSlideOpen(page, 'small.svs');
    await expect(field(page, 'Format')).toHaveText('aperio-svs');
    await expect(field(page, 'Vendor')).toHaveText('Aperio');
    await expect(field(page, 'Dimensions')).toHaveText('16 × 16 px');
    await expect(field(page, 'Pixel size (MPP)')).toHaveText('0.499 µm/px');
    await expect(field(page, 'Objective power')).toHaveText('20x');
    await expect(field(page, 'Compression')).toHaveText('JPEG');
    await expect(info(page).getByTestId('slide-levels').getByRole('listitem')).toHaveText(['Level 0: 16 × 16 px, downsample 1, tiles 64 × 64']);
    // Associated images live in the panel, never over the slide.
    const thumbnail = info(page).getByRole('img', { name: 'Thumbnail image of the slide' });
    await expect(thumbnail).toBeVisible();
    await expect(page.getByTestId('slide-stage').getByRole('img', { name: /Thumbnail/ })).toHaveCount(0);
    await expect(page.getByTestId('scale-bar')).toHaveAttribute('aria-label', /^Scale bar: [\d.]+ (µm|mm)$/);
    await expectTilesDrawn(page);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });

  test('boxes.tiff: levels with downsamples, presets by button and keys 1-6, +/- zoom', async ({ page }) => {
    await gotoApp(page);
    await openSlideFile(page, 'boxes.tiff');
    await expectSlideOpen(page, 'boxes.tiff');
    await expect(field(page, 'Dimensions')).toHaveText('300 × 250 px');
    await expect(field(page, 'Compression')).toHaveText('Deflate');
    await expect(info(page).getByTestId('slide-levels').getByRole('listitem')).toHaveText([
      'Level 0: 300 × 250 px, downsample 1, tiles 64 × 64',
      'Level 1: 150 × 125 px, downsample 2, tiles 64 × 64',
      'Level 2: 75 × 62 px, downsample 4, tiles 64 × 64',
      'Level 3: 37 × 31 px, downsample 8.108, tiles 64 × 64',
    ]);
    await expectTilesDrawn(page);
    // boxes.tiff's only scale is libvips's 72-dpi default: shown, but marked unreliable everywhere it is used.
    await expect(field(page, 'Pixel size (MPP)')).toContainText('(unreliable)');
    await expect(field(page, 'Scale')).toContainText('72 pixels per inch');
    await expect(page.getByTestId('scale-bar')).toContainText('(unreliable scale)');
    await expect(page.getByTestId('scale-unreliable')).toHaveAttribute('title', /72 pixels per inch/);

    const readout = page.getByTestId('magnification');
    await page.getByRole('button', { name: '1.25x' }).click();
    await expect(readout).toHaveText('1.25x');
    await focusSlide(page);
    await page.keyboard.press('4');
    await expect(readout).toHaveText('10x');
    await page.keyboard.press('6');
    await expect(readout).toHaveText('40x');
    await page.keyboard.press('2');
    await expect(readout).toHaveText('2.5x');
    await page.keyboard.press('-');
    await expect.poll(async () => Number.parseFloat((await readout.textContent()) ?? '')).toBeLessThan(2.5);
    await page.keyboard.press('Shift+Equal');
    await expect.poll(async () => Number.parseFloat((await readout.textContent()) ?? '')).toBeGreaterThan(2.4);
    // R must select the rectangle tool, not rotate the slide (OpenSeadragon's default for R).
    await page.keyboard.press('r');
    await expect(page.getByRole('button', { name: 'Rectangle' })).toHaveAttribute('aria-pressed', 'true');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('button', { name: 'Pan' })).toHaveAttribute('aria-pressed', 'true');
  });

  test('boxes.tiff at 1:1 shows exactly the pixels of boxes.png (its level 0), tiles in place', async ({ page }) => {
    await gotoApp(page);
    await openSlideFile(page, 'boxes.tiff');
    await expectSlideOpen(page, 'boxes.tiff');
    await expectTilesDrawn(page);
    await page.getByRole('button', { name: '1:1 actual pixels' }).click();

    const { data: expected, info: size } = await sharp(testdata('boxes.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const margin = 3;
    // The slide stays centred, so image pixel (x, y) is near canvas (w/2 - W/2 + x, h/2 - H/2 + y); allow a few pixels.
    const meanDifference = async () => {
      const shot = await page.evaluate(
        ({ width, height, margin }) => {
          const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="slide-canvas"] .openseadragon-canvas canvas')!;
          const left = Math.round(canvas.width / 2 - width / 2) - margin;
          const top = Math.round(canvas.height / 2 - height / 2) - margin;
          const pixels = canvas.getContext('2d')!.getImageData(left, top, width + 2 * margin, height + 2 * margin).data;
          return Array.from(pixels);
        },
        { width: size.width, height: size.height, margin },
      );
      const stride = size.width + 2 * margin;
      let best = Number.POSITIVE_INFINITY;
      for (let dy = 0; dy <= 2 * margin; dy++) {
        for (let dx = 0; dx <= 2 * margin; dx++) {
          let sum = 0;
          for (let y = 0; y < size.height; y++) {
            for (let x = 0; x < size.width; x++) {
              const e = (y * size.width + x) * 4;
              const a = ((y + dy) * stride + x + dx) * 4;
              sum += Math.abs(shot[a]! - expected[e]!) + Math.abs(shot[a + 1]! - expected[e + 1]!) + Math.abs(shot[a + 2]! - expected[e + 2]!);
            }
          }
          best = Math.min(best, sum / (size.width * size.height * 3));
        }
      }
      return best;
    };
    await expect.poll(meanDifference, { timeout: 15_000 }).toBeLessThan(2);
  });

  test('a rectangle ROI is listed with its area, renamed, and still there after a reload', async ({ page }) => {
    await gotoApp(page);
    await openSlideFile(page, 'boxes.tiff');
    await expectSlideOpen(page, 'boxes.tiff');
    await expectTilesDrawn(page);
    await focusSlide(page);
    await page.keyboard.press('r');
    const stage = (await page.getByTestId('slide-stage').boundingBox())!;
    const cx = stage.x + stage.width / 2;
    const cy = stage.y + stage.height / 2;
    await page.mouse.move(cx - 60, cy - 40);
    await page.mouse.down();
    await page.mouse.move(cx, cy, { steps: 5 });
    await page.mouse.move(cx + 60, cy + 40, { steps: 5 });
    await page.mouse.up();

    const items = info(page).getByTestId('roi-item');
    await expect(items).toHaveCount(1);
    await expect(items.getByLabel('Name')).toHaveValue('Rectangle 1');
    await expect(items.getByTestId('roi-area')).toHaveText(/^[\d.]+ mm²$/);
    await expect(page.locator('[data-testid="roi-overlay"] [data-roi-name="Rectangle 1"]')).toHaveCount(1);
    await items.getByLabel('Name').fill('Tumour front');
    await items.getByLabel('Name').press('Enter');

    // Wait until IndexedDB holds the renamed region, then reload.
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            new Promise<string[]>((resolve) => {
              const request = indexedDB.open('patholens-viewer');
              request.onsuccess = () => {
                const all = request.result.transaction('slide-rois').objectStore('slide-rois').getAll();
                all.onsuccess = () => resolve(all.result.flatMap((record: { rois: { name: string }[] }) => record.rois.map((roi) => roi.name)));
                all.onerror = () => resolve([]);
              };
              request.onerror = () => resolve([]);
            }),
        ),
      )
      .toContain('Tumour front');
    await page.reload();
    await gotoApp(page);
    await openSlideFile(page, 'boxes.tiff');
    await expectSlideOpen(page, 'boxes.tiff');
    await expect(info(page).getByTestId('roi-item').getByLabel('Name')).toHaveValue('Tumour front');

    await info(page).getByRole('button', { name: 'Delete Tumour front' }).click();
    await expect(info(page).getByTestId('roi-item')).toHaveCount(0);
  });

  test('polygon by clicks and Enter; the ruler measures in µm and saves nothing', async ({ page }) => {
    await gotoApp(page);
    await openSlideFile(page, 'small.svs');
    await expectSlideOpen(page, 'small.svs');
    await expectTilesDrawn(page);
    const stage = (await page.getByTestId('slide-stage').boundingBox())!;
    const cx = stage.x + stage.width / 2;
    const cy = stage.y + stage.height / 2;
    await focusSlide(page);
    await page.keyboard.press('p');
    await page.mouse.click(cx - 50, cy - 50);
    await page.mouse.click(cx + 50, cy - 50);
    await page.mouse.click(cx, cy + 50);
    await page.keyboard.press('Enter');
    await expect(info(page).getByTestId('roi-item').getByLabel('Name')).toHaveValue('Polygon 1');
    await expect(info(page).getByTestId('roi-area')).toHaveText(/µm²|mm²/);

    await page.keyboard.press('l');
    await page.mouse.move(cx - 100, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 100, cy, { steps: 5 });
    await page.mouse.up();
    await expect(page.getByTestId('ruler-length')).toHaveText(/^Ruler: [\d.]+ µm$/);
    await expect(info(page).getByTestId('roi-item')).toHaveCount(1);
  });

  test('a fluorescence OME-TIFF shows its channels in the Display panel; hiding one redraws the tiles without it', async ({ page }) => {
    const name = 'ome-fluorescence-uint16-12bit.ome.tiff';
    await gotoApp(page);
    await openSlideFile(page, `vendor/${name}`);
    await expectSlideOpen(page, name);
    await expectTilesDrawn(page);
    /** Sum of the blue channel over the centre of the drawn canvas (DAPI is the only blue channel). */
    const blue = () =>
      page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="slide-canvas"] .openseadragon-canvas canvas')!;
        const { data } = canvas
          .getContext('2d')!
          .getImageData(Math.floor(canvas.width / 4), Math.floor(canvas.height / 4), Math.floor(canvas.width / 2), Math.floor(canvas.height / 2));
        let sum = 0;
        for (let i = 2; i < data.length; i += 4) sum += data[i]!;
        return sum;
      });
    await expect.poll(blue).toBeGreaterThan(0);
    await page.getByText('Display', { exact: true }).click();
    const channels = page.getByRole('group', { name: 'Channels' });
    await expect(channels.getByRole('checkbox')).toHaveCount(3);
    await expect(page.getByTestId('channel-rendering-note')).toHaveText(/models see an RGB rendering of the visible channels \(DAPI, FITC, TRITC\)/);
    await channels.getByRole('checkbox', { name: /DAPI/ }).uncheck();
    await expect.poll(blue).toBe(0);
    await expect(page.getByTestId('channel-rendering-note')).toHaveText(/visible channels \(FITC, TRITC\)/);
    // The Ask tab says the same about what Patho-R1 is shown.
    await expect(page.getByRole('tabpanel', { name: 'Ask' }).getByTestId('ask-channel-note')).toHaveText(
      /models see an RGB rendering of the visible channels \(FITC, TRITC\)/,
    );
    await channels.getByRole('checkbox', { name: /DAPI/ }).check();
    await expect.poll(blue).toBeGreaterThan(0);
  });

  test('bad files give a sentence and the open slide stays usable', async ({ page }) => {
    await gotoApp(page);
    await openSlideFile(page, 'boxes.tiff');
    await expectSlideOpen(page, 'boxes.tiff');
    await expectTilesDrawn(page);

    const banner = page.getByRole('alert', { name: 'Errors' });
    await openSlideFile(page, 'unopenable.tiff');
    await expect(banner).toContainText('unopenable.tiff');
    await openSlideFile(page, 'unreadable.svs');
    await expect(banner).toContainText('unreadable.svs');
    await page.getByLabel('Open slide').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a slide at all') });
    await expect(banner).toContainText('notes.txt');

    await expectSlideOpen(page, 'boxes.tiff');
    await expect(field(page, 'Dimensions')).toHaveText('300 × 250 px');
    await page.getByRole('button', { name: '5x', exact: true }).click();
    await expect(page.getByTestId('magnification')).toHaveText('5x');
    await expectTilesDrawn(page);
    await expect(page.getByRole('main', { name: 'Slide viewer' })).toBeVisible();
  });

  test('keyboard only: the opened slide takes focus, keys zoom, and a region is added from the view', async ({ page }) => {
    await gotoApp(page);
    await openSlideFile(page, 'boxes.tiff');
    await expectSlideOpen(page, 'boxes.tiff');
    await expect(page.locator('[data-testid="slide-canvas"] .openseadragon-canvas').first()).toBeFocused();
    await page.keyboard.press('4');
    await expect(page.getByTestId('magnification')).toHaveText('10x');
    const addRegion = page.getByRole('button', { name: 'Region from view' });
    await addRegion.focus();
    await page.keyboard.press('Enter');
    const item = info(page).getByTestId('roi-item');
    await expect(item.getByLabel('Name')).toHaveValue('Rectangle 1');
    await expect(item.getByTestId('roi-area')).toHaveText(/^[\d.]+ mm²$/);
    await item.getByRole('button', { name: 'Delete Rectangle 1' }).press('Enter');
    await expect(info(page).getByTestId('roi-item')).toHaveCount(0);
  });

  test('a slide dropped on the viewer opens', async ({ page }) => {
    await gotoApp(page);
    const bytes = readFileSync(testdata('small.svs')).toString('base64');
    const dataTransfer = await page.evaluateHandle((base64) => {
      const transfer = new DataTransfer();
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([data], 'dropped.svs'));
      return transfer;
    }, bytes);
    await page.getByTestId('slide-stage').dispatchEvent('dragover', { dataTransfer });
    await page.getByTestId('slide-stage').dispatchEvent('drop', { dataTransfer });
    await expectSlideOpen(page, 'dropped.svs');
    await expect(field(page, 'Dimensions')).toHaveText('16 × 16 px');
  });

  test('no accessibility violations with a slide, regions and panels open (axe-core, WCAG 2 A/AA)', async ({ page, watch }) => {
    await gotoApp(page);
    await openSlideFile(page, 'small.svs');
    await expectSlideOpen(page, 'small.svs');
    await expectTilesDrawn(page);
    await focusSlide(page);
    await page.keyboard.press('r');
    const stage = (await page.getByTestId('slide-stage').boundingBox())!;
    await page.mouse.move(stage.x + 100, stage.y + 100);
    await page.mouse.down();
    await page.mouse.move(stage.x + 200, stage.y + 180, { steps: 4 });
    await page.mouse.up();
    await expect(info(page).getByTestId('roi-item')).toHaveCount(1);
    await page.getByText('Display', { exact: true }).click();
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(results.violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual(
      [],
    );
    expect(await watch.cspViolations()).toEqual([]);
  });
});
