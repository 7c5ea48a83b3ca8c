/**
 * Leica SCN in real Chromium (production build, decode workers reading the File, the browser's JPEG decoder):
 * tests/fixtures/scn opened through "Open slide", and through the test hook's openSlide — the viewer's own entry
 * point — with every level compared here with OpenSlide 4's read_region (both files are `leica` to OpenSlide).
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { fixturePath } from '../tests/fixtures';
import { compare } from '../tests/slide/fixtures';
import { expect, test } from './fixtures';
import { expectSlideOpen, expectTilesDrawn, field, gotoApp, info, readEveryLevelInPage } from './viewer-helpers';

const FILES = [
  [
    'scn/leica-scn400.scn',
    [
      'Level 0: 512 × 384 px, downsample 1, tiles 128 × 128',
      'Level 1: 128 × 96 px, downsample 4, tiles 128 × 128',
      'Level 2: 32 × 24 px, downsample 16, tiles 128 × 128',
    ],
  ],
  [
    'scn/leica-two-regions.scn',
    [
      'Level 0: 512 × 480 px, downsample 1, tiles 128 × 128',
      'Level 1: 128 × 120 px, downsample 4, tiles 128 × 128',
      'Level 2: 32 × 30 px, downsample 16, tiles 128 × 128',
    ],
  ],
] as const;

test.describe('Leica SCN', () => {
  for (const [fixture, levels] of FILES) {
    const name = fixture.split('/').pop()!;
    test(`"Open slide" ${name}: the regions' box at 20x and 0.5 µm/px, macro and scanner in the panel, tiles drawn`, async ({ page, watch }) => {
      await gotoApp(page);
      // An operating system's file dialog shows only what `accept` lists: .scn must be there.
      expect((await page.getByLabel('Open slide').getAttribute('accept'))?.split(',')).toContain('.scn');
      await page.getByLabel('Open slide').setInputFiles(fixturePath(fixture));
      await expectSlideOpen(page, name);
      await expect(field(page, 'Format')).toHaveText('leica-scn');
      await expect(field(page, 'Vendor')).toHaveText('Leica');
      await expect(field(page, 'Objective power')).toHaveText('20x');
      await expect(field(page, 'Pixel size (MPP)')).toHaveText('0.5 µm/px');
      await expect(info(page).getByTestId('slide-levels').getByRole('listitem')).toHaveText([...levels]);
      await expect(info(page).getByRole('img', { name: /Macro image/i })).toBeVisible();
      await info(page)
        .getByText(/^All properties/)
        .click();
      for (const text of ['leica.device-model', 'Leica SCN400;Leica SCN', 'leica.creation-date', '2026-11-28T09:41:27.31Z', 'leica.barcode', 'PL-SCN-0042']) {
        await expect(info(page).getByText(text, { exact: true })).toBeVisible();
      }
      await expectTilesDrawn(page);
      expect(await watch.cspViolations()).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
    });

    test(`${name}: every level decoded in Chromium's workers matches OpenSlide`, async ({ page }) => {
      await gotoApp(page);
      const opened = await readEveryLevelInPage(page, [fixturePath(fixture)]);
      expect(opened.format).toBe('leica-scn');
      const note = JSON.parse(readFileSync(fixturePath(`${fixture}.json`), 'utf8')) as { detect_format: string; levels: { png: string }[] };
      expect(note.detect_format).toBe('leica');
      expect(opened.levels.length).toBe(note.levels.length);
      for (const [k, level] of opened.levels.entries()) {
        const { data, info: size } = await sharp(fixturePath(`scn/${note.levels[k]!.png}`))
          .ensureAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([level.width, level.height]).toEqual([size.width, size.height]);
        const diff = compare(Buffer.from(level.base64, 'base64'), data);
        console.info(`${name} level ${k} in Chromium: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
        // Chromium's JPEG decoder is libjpeg-turbo, as OpenSlide's (Node with libjpeg-turbo: 0.000 on every level).
        expect(diff.mean).toBeLessThanOrEqual(0.05);
      }
    });
  }
});
