import { expect, type Page } from '@playwright/test';
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
