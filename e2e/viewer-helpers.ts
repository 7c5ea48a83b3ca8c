import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fixturePath } from '../tests/fixtures';

/** Test slides carried by the repository (tests/fixtures); a missing one fails the spec that needs it. */
export const testdata = (name: string) => fixturePath(name);

export async function gotoApp(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByRole('main', { name: 'Slide viewer' })).toBeVisible();
  // The demo slide (when generated) opens at start; wait for that to settle so it cannot replace a test's slide.
  await expect(page.getByText(/^Opening /)).toHaveCount(0, { timeout: 30_000 });
}

export async function openSlideFile(page: Page, name: string): Promise<void> {
  await page.getByLabel('Open slide').setInputFiles(testdata(name));
}

export function info(page: Page) {
  return page.getByRole('region', { name: 'Slide information' });
}

export function field(page: Page, label: string) {
  return info(page).locator(`dd[data-field="${label}"]`);
}

export async function expectSlideOpen(page: Page, name: string): Promise<void> {
  await expect(info(page).getByRole('heading', { name, exact: true })).toBeVisible({ timeout: 30_000 });
}

/** Waits until tiles are drawn: the centre of the viewer's canvas is no longer empty. */
export async function expectTilesDrawn(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="slide-canvas"] .openseadragon-canvas canvas');
          const context = canvas?.getContext('2d');
          if (!canvas || !context) return 0;
          const pixel = context.getImageData(Math.floor(canvas.width / 2), Math.floor(canvas.height / 2), 1, 1).data;
          return pixel[3] ?? 0;
        }),
      { timeout: 30_000 },
    )
    .toBeGreaterThan(0);
}

export async function focusSlide(page: Page): Promise<void> {
  await page.locator('[data-testid="slide-canvas"] .openseadragon-canvas').first().focus();
}

/** One level of a slide read whole in the page, its RGBA pixels in base64. */
export interface LevelRead {
  width: number;
  height: number;
  base64: string;
}

/**
 * Opens a slide from files in the page through the test hook's openSlide (the viewer's own entry point, decode
 * workers included) and reads every level whole, for comparison here with an independent reader's pixels.
 * One file without a folder opens as that file; several (or a folder) as one slide's files.
 */
export async function readEveryLevelInPage(
  page: Page,
  paths: string[],
  folder?: string,
): Promise<{ format: string; compression: string; levels: LevelRead[] }> {
  const files = paths.map((path) => ({ name: path.split('/').pop()!, base64: readFileSync(path).toString('base64') }));
  return page.evaluate(
    async ({ files, folder }) => {
      type Opened = {
        metadata: { format: string; compression: string; mppX: number; width: number; height: number; levels: { downsample: number }[] };
        readRegion: (r: object, m: number | null) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
        close: () => Promise<void>;
      };
      const hook = (window as unknown as { __patholens: { openSlide: (input: File | { files: File[]; folder?: string }) => Promise<Opened> } }).__patholens;
      const asFile = ({ name, base64 }: { name: string; base64: string }) => new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name);
      const slide = await hook.openSlide(files.length === 1 && !folder ? asFile(files[0]!) : { files: files.map(asFile), ...(folder ? { folder } : {}) });
      const { width, height, mppX } = slide.metadata;
      const levels = [];
      for (const level of slide.metadata.levels) {
        const region = await slide.readRegion({ x: 0, y: 0, width, height }, mppX * level.downsample);
        let text = '';
        for (let i = 0; i < region.data.length; i += 0x8000) text += String.fromCharCode(...region.data.subarray(i, i + 0x8000));
        levels.push({ width: region.width, height: region.height, base64: btoa(text) });
      }
      await slide.close();
      return { format: slide.metadata.format, compression: slide.metadata.compression, levels };
    },
    { files, folder },
  );
}
