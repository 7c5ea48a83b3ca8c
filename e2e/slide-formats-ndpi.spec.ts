/**
 * Hamamatsu NDPI in real Chromium (production build, decode workers): tests/fixtures/ndpi opened through
 * "Open slide", and through the test hook's openSlide with every level compared here with OpenSlide's pixels.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { fixturePath } from '../tests/fixtures';
import { compare } from '../tests/slide/fixtures';
import { expect, test } from './fixtures';
import { expectSlideOpen, expectTilesDrawn, field, gotoApp, info } from './viewer-helpers';

const NDPI = 'ndpi/hamamatsu-layout.ndpi';

test.describe('Hamamatsu NDPI', () => {
  test('"Open slide": metadata, macro in the panel, tiles drawn', async ({ page, watch }) => {
    await gotoApp(page);
    await page.getByLabel('Open slide').setInputFiles(fixturePath(NDPI));
    await expectSlideOpen(page, 'hamamatsu-layout.ndpi');
    await expect(field(page, 'Format')).toHaveText('hamamatsu-ndpi');
    await expect(field(page, 'Vendor')).toHaveText('Hamamatsu');
    await expect(field(page, 'Objective power')).toHaveText('20x');
    await expect(info(page).getByTestId('slide-levels').getByRole('listitem')).toHaveCount(4);
    await expect(info(page).getByRole('img', { name: /Macro image/i })).toBeVisible();
    await expectTilesDrawn(page);
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });

  test("every level decoded in Chromium's workers matches OpenSlide", async ({ page }) => {
    await gotoApp(page);
    const levels = await page.evaluate(
      async ({ base64 }) => {
        const hook = (
          window as unknown as {
            __patholens: {
              openSlide: (input: File) => Promise<{
                metadata: { mppX: number; width: number; height: number; levels: { downsample: number }[] };
                readRegion: (r: object, m: number | null) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
                close: () => Promise<void>;
              }>;
            };
          }
        ).__patholens;
        const slide = await hook.openSlide(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'hamamatsu-layout.ndpi'));
        const out = [];
        for (const level of slide.metadata.levels) {
          const region = await slide.readRegion(
            { x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height },
            slide.metadata.mppX * level.downsample,
          );
          let text = '';
          for (let i = 0; i < region.data.length; i += 0x8000) text += String.fromCharCode(...region.data.subarray(i, i + 0x8000));
          out.push({ width: region.width, height: region.height, base64: btoa(text) });
        }
        await slide.close();
        return out;
      },
      { base64: readFileSync(fixturePath(NDPI)).toString('base64') },
    );
    const note = JSON.parse(readFileSync(fixturePath(`${NDPI}.json`), 'utf8')) as { levels: { png: string }[] };
    expect(levels.length).toBe(note.levels.length);
    for (const [k, level] of levels.entries()) {
      const { data, info: size } = await sharp(fixturePath(`ndpi/${note.levels[k]!.png}`))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([level.width, level.height]).toEqual([size.width, size.height]);
      const diff = compare(Buffer.from(level.base64, 'base64'), data);
      console.info(`NDPI level ${k} in Chromium: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
      // Chroma upsampling differs only along OpenSlide's 128 x 8 interval edges (see tests/slide/ndpi.test.ts).
      expect(diff.mean).toBeLessThanOrEqual(0.05);
    }
  });
});
