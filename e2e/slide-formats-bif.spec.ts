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
import { expectSlideOpen, expectTilesDrawn, field, gotoApp, info } from './viewer-helpers';

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
      const base64 = readFileSync(fixturePath(fixture)).toString('base64');
      const opened = await page.evaluate(
        async ({ base64 }) => {
          const hook = (
            window as unknown as {
              __patholens: {
                openSlide: (input: File) => Promise<{
                  metadata: { format: string; mppX: number; width: number; height: number; levels: { downsample: number }[] };
                  readRegion: (r: object, m: number | null) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
                  close: () => Promise<void>;
                }>;
              };
            }
          ).__patholens;
          const file = new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'slide.bif');
          const slide = await hook.openSlide(file);
          const { width, height, mppX } = slide.metadata;
          const levels = [];
          for (const level of slide.metadata.levels) {
            const region = await slide.readRegion({ x: 0, y: 0, width, height }, mppX * level.downsample);
            let text = '';
            for (let i = 0; i < region.data.length; i += 0x8000) text += String.fromCharCode(...region.data.subarray(i, i + 0x8000));
            levels.push({ width: region.width, height: region.height, base64: btoa(text) });
          }
          await slide.close();
          return { format: slide.metadata.format, levels };
        },
        { base64 },
      );
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
