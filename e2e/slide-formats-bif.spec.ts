/**
 * Ventana BIF with overlapping camera tiles in real Chromium (production build, decode workers reading the File,
 * the browser's JPEG decoder): tests/fixtures/bif opened through "Open slide", and through the test hook's
 * openSlide — the viewer's own entry point — with every level compared here with OpenSlide's pixels.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { fixturePath } from '../tests/fixtures';
import { compare } from '../tests/slide/fixtures';
import { expect, test } from './fixtures';
import { expectSlideOpen, expectTilesDrawn, field, gotoApp, info, readEveryLevelInPage } from './viewer-helpers';

const BIF = 'bif/ventana-overlaps.bif';

test.describe('Ventana BIF', () => {
  test('"Open slide": levels as large as what is placed, scale, label, tiles drawn', async ({ page, watch }) => {
    await gotoApp(page);
    await page.getByLabel('Open slide').setInputFiles(fixturePath(BIF));
    await expectSlideOpen(page, 'ventana-overlaps.bif');
    await expect(field(page, 'Format')).toHaveText('ventana-bif');
    await expect(field(page, 'Vendor')).toHaveText('Ventana');
    await expect(field(page, 'Objective power')).toHaveText('40x');
    await expect(info(page).getByTestId('slide-levels').getByRole('listitem')).toHaveText([
      'Level 0: 720 × 360 px, downsample 1, tiles 128 × 128',
      'Level 1: 360 × 180 px, downsample 2, tiles 128 × 128',
      'Level 2: 180 × 90 px, downsample 4, tiles 128 × 128',
    ]);
    await expect(info(page).getByRole('img', { name: /Label image/i })).toBeVisible();
    await expectTilesDrawn(page);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });

  for (const [fixture, bound] of [
    // whole-pixel positions: the same pixels as OpenSlide
    [BIF, 0.05],
    // positions between pixels, drawn as cairo draws them (Node: mean |diff| 0.19-0.21)
    ['bif/ventana-fractional.bif', 0.3],
  ] as const) {
    test(`${fixture}: every level placed from tiles decoded in Chromium’s workers matches OpenSlide`, async ({ page }) => {
      await gotoApp(page);
      const opened = await readEveryLevelInPage(page, [fixturePath(fixture)]);
      expect(opened.format).toBe('ventana-bif');
      const note = JSON.parse(readFileSync(fixturePath(`${fixture}.json`), 'utf8')) as { levels: { png: string }[] };
      expect(opened.levels.length).toBe(note.levels.length);
      for (const [k, level] of opened.levels.entries()) {
        const { data, info: size } = await sharp(fixturePath(`bif/${note.levels[k]!.png}`))
          .ensureAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([level.width, level.height]).toEqual([size.width, size.height]);
        const diff = compare(Buffer.from(level.base64, 'base64'), data);
        console.info(`${fixture} level ${k} in Chromium: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
        // Chromium's JPEG decoder is libjpeg-turbo, as OpenSlide's; the placement is the same code as in Node.
        expect(diff.mean).toBeLessThanOrEqual(bound);
      }
    });
  }
});
