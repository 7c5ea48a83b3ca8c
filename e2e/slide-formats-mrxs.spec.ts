/**
 * 3DHistech MRXS in real Chromium (production build, decode workers): tests/fixtures/mrxs opened through "Open
 * folder" (the slide's data folder) and through "Open slide" with the .mrxs and the folder's files, and through
 * the test hook's openSlide({ files }) — the viewer's own entry point — with every level compared here with
 * OpenSlide's pixels.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { fixturePath } from '../tests/fixtures';
import { compare } from '../tests/slide/fixtures';
import { expect, test } from './fixtures';
import { expectSlideOpen, expectTilesDrawn, field, gotoApp, info, readEveryLevelInPage } from './viewer-helpers';

const MRXS = 'mrxs/mirax-layout.mrxs';
const FOLDER = fixturePath('mrxs/mirax-layout');
const folderFiles = (fixture = 'mirax-layout') =>
  readdirSync(fixturePath(`mrxs/${fixture}`))
    .sort()
    .map((name) => join(fixturePath(`mrxs/${fixture}`), name));

test.describe('3DHistech MRXS', () => {
  test('"Open folder" on the slide’s folder: metadata, associated images, tiles drawn', async ({ page, watch }) => {
    await gotoApp(page);
    await page.getByLabel('Open folder').setInputFiles(FOLDER);
    await expectSlideOpen(page, 'mirax-layout');
    await expect(field(page, 'Format')).toHaveText('mirax');
    await expect(field(page, 'Vendor')).toHaveText('3DHistech');
    await expect(field(page, 'Objective power')).toHaveText('20x');
    await expect(info(page).getByTestId('slide-levels').getByRole('listitem')).toHaveCount(4);
    for (const label of ['Label', 'Macro', 'Thumbnail']) await expect(info(page).getByRole('img', { name: new RegExp(`${label} image`, 'i') })).toBeVisible();
    await expectTilesDrawn(page);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });

  test('"Open slide" with the .mrxs and its folder’s files opens it under the .mrxs name; the .mrxs alone says where the pixels are', async ({ page }) => {
    await gotoApp(page);
    await page.getByLabel('Open slide').setInputFiles([fixturePath(MRXS), ...folderFiles()]);
    await expectSlideOpen(page, 'mirax-layout.mrxs');
    await expectTilesDrawn(page);
    await page.getByLabel('Open slide').setInputFiles(fixturePath(MRXS));
    await expect(page.getByRole('alert', { name: 'Errors' })).toContainText(
      'mirax-layout.mrxs is a 3DHistech MRXS slide, whose pixels are in the folder "mirax-layout" next to it',
    );
    await expectSlideOpen(page, 'mirax-layout.mrxs');
  });

  for (const [fixture, compression] of [
    ['mirax-layout', 'JPEG'],
    ['mirax-png-vimslide', 'PNG'],
  ] as const) {
    test(`${fixture}: every level decoded in Chromium's workers matches OpenSlide`, async ({ page }) => {
      await gotoApp(page);
      const opened = await readEveryLevelInPage(page, folderFiles(fixture), fixture);
      expect([opened.format, opened.compression]).toEqual(['mirax', compression]);
      const note = JSON.parse(readFileSync(fixturePath(`mrxs/${fixture}.mrxs.json`), 'utf8')) as { levels: { png: string }[] };
      expect(opened.levels.length).toBe(note.levels.length);
      for (const [k, level] of opened.levels.entries()) {
        const { data, info: size } = await sharp(fixturePath(`mrxs/${note.levels[k]!.png}`))
          .ensureAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([level.width, level.height]).toEqual([size.width, size.height]);
        const diff = compare(Buffer.from(level.base64, 'base64'), data);
        console.info(`MRXS ${fixture} level ${k} in Chromium: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
        // Chromium decodes each camera image whole (libjpeg-turbo for JPEG, as OpenSlide); the parts are painted alike.
        expect(diff.mean).toBeLessThanOrEqual(0.05);
      }
    });
  }
});
