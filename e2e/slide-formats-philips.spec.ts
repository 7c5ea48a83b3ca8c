/** Philips TIFF through "Open slide" in real Chromium (tests/fixtures/philips; pixels checked against OpenSlide in tests/slide/philips.test.ts). */
import { fixturePath } from '../tests/fixtures';
import { expect, test } from './fixtures';
import { expectSlideOpen, expectTilesDrawn, field, gotoApp, info } from './viewer-helpers';

test('Philips TIFF: levels from the pixel spacings, scale, label in the panel, tiles drawn', async ({ page, watch }) => {
  await gotoApp(page);
  await page.getByLabel('Open slide').setInputFiles(fixturePath('philips/philips-layout.tiff'));
  await expectSlideOpen(page, 'philips-layout.tiff');
  await expect(field(page, 'Format')).toHaveText('philips-tiff');
  await expect(field(page, 'Vendor')).toHaveText('Philips');
  await expect(field(page, 'Pixel size (MPP)')).toHaveText('0.25 µm/px');
  await expect(info(page).getByTestId('slide-levels').getByRole('listitem')).toHaveText([
    'Level 0: 384 × 256 px, downsample 1, tiles 128 × 128',
    'Level 1: 192 × 128 px, downsample 2, tiles 128 × 128',
    'Level 2: 96 × 64 px, downsample 4, tiles 128 × 128',
  ]);
  await expect(info(page).getByRole('img', { name: /Label image/i })).toBeVisible();
  await expectTilesDrawn(page);
  expect(await watch.cspViolations()).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
});
