/**
 * Hamamatsu NDPI past 4 GiB in real Chromium (production build, decode workers), through the file picker: the
 * sparse 4.3 GB file written at test time (tests/fixtures/ndpi-4gb.ts) is given to "Open slide" by path.
 * Playwright hands a local browser the path (DOM.setFileInputFiles), not the bytes, so Chromium's File is backed by
 * the file on disk and every read is a Blob.slice at offsets past 2^32, as for a user's 5-20 GB scan. The File the
 * viewer received is then read level by level through the test hook's openSlide and compared with OpenSlide.
 */
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { makeBigNdpi, type BigNdpi } from '../tests/fixtures/ndpi-4gb';
import { compare } from '../tests/slide/fixtures';
import { expect, test } from './fixtures';
import { expectSlideOpen, expectTilesDrawn, field, gotoApp, info } from './viewer-helpers';

let big: BigNdpi;
test.beforeAll(() => {
  big = makeBigNdpi();
});
test.afterAll(() => big?.remove());

/** Keeps the Files the next "Open slide" pick hands the viewer (the viewer clears the input after reading it). */
async function keepPickedFiles(page: Page): Promise<void> {
  await page.evaluate(() => {
    document.addEventListener(
      'change',
      (event) => {
        const input = event.target as HTMLInputElement;
        if (input.files?.length) (window as unknown as { __picked: File[] }).__picked = [...input.files];
      },
      true,
    );
  });
}

test.describe('Hamamatsu NDPI larger than 4 GiB', () => {
  test('"Open slide" with the 4.3 GB file: metadata, macro, tiles drawn; its regions match OpenSlide', async ({ page, watch }) => {
    test.setTimeout(120_000);
    await gotoApp(page);
    await keepPickedFiles(page);
    await page.getByLabel('Open slide').setInputFiles(big.path);
    await expectSlideOpen(page, 'hamamatsu-4gb.ndpi');
    await expect(field(page, 'Format')).toHaveText('hamamatsu-ndpi');
    await expect(field(page, 'Objective power')).toHaveText('20x');
    await expect(info(page).getByTestId('slide-levels').getByRole('listitem')).toHaveCount(4);
    await expect(info(page).getByRole('img', { name: /Macro image/i })).toBeVisible();
    await expectTilesDrawn(page);

    const regions = big.note.levels.flatMap((level, k) => level.regions.map((region) => ({ level: k, ...region })));
    const read = await page.evaluate(async (regions) => {
      type Opened = {
        metadata: { mppX: number; levels: { downsample: number }[] };
        readRegion: (r: object, m: number | null) => Promise<{ width: number; height: number; level: number; data: Uint8ClampedArray }>;
        close: () => Promise<void>;
      };
      const w = window as unknown as { __picked: File[]; __patholens: { openSlide: (input: File) => Promise<Opened> } };
      const file = w.__picked[0]!;
      const slide = await w.__patholens.openSlide(file);
      const out = [];
      for (const { level, x, y, width, height } of regions) {
        const d = slide.metadata.levels[level]!.downsample;
        const region = await slide.readRegion({ x: x * d, y: y * d, width: width * d, height: height * d }, slide.metadata.mppX * d);
        let text = '';
        for (let i = 0; i < region.data.length; i += 0x8000) text += String.fromCharCode(...region.data.subarray(i, i + 0x8000));
        out.push({ width: region.width, height: region.height, level: region.level, base64: btoa(text) });
      }
      await slide.close();
      return { size: file.size, regions: out };
    }, regions);
    expect(read.size).toBe(big.note.size);
    for (const [i, region] of regions.entries()) {
      const { data, info: size } = await sharp(big.file(region.png)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const got = read.regions[i]!;
      expect([got.width, got.height, got.level]).toEqual([size.width, size.height, region.level]);
      const diff = compare(Buffer.from(got.base64, 'base64'), data);
      console.info(
        `NDPI > 4 GiB level ${region.level} (${region.x}, ${region.y}) ${region.width} x ${region.height} in Chromium: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`,
      );
      // Chromium's JPEG decoder is libjpeg-turbo, as OpenSlide's; chroma differs only along interval edges.
      expect(diff.mean).toBeLessThanOrEqual(0.05);
    }
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });
});
