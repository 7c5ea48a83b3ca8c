/**
 * The workbench at three window sizes: the slide takes the space (at least half the width at 1024x700, where
 * the slide details drawer starts closed), the drawer opens and closes, and the side panel's splitter resizes it
 * from the keyboard, remembered after a reload, never leaving the slide less than half. The screenshots go to the
 * test's output folder; `PATHOLENS_UPDATE_SCREENSHOTS=1` writes them to docs/screenshots/ (kept for people to look at),
 * so an ordinary run leaves the working tree as it was.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { expectSlideOpen, gotoApp, info, openSlideFile } from './viewer-helpers';

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
];

test('the slide takes the space at three sizes; drawer and splitter work from the keyboard', async ({ page }) => {
  test.setTimeout(120_000);
  const stageWidth = async () => (await page.getByTestId('slide-stage').boundingBox())!.width;
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await gotoApp(page);
    await openSlideFile(page, 'small.svs');
    const toggle = page.getByTestId('slide-details-toggle');
    if (size.width < 1280) {
      await expect(toggle).toHaveAttribute('aria-expanded', 'false');
      expect(await stageWidth()).toBeGreaterThanOrEqual(size.width / 2);
      await toggle.click();
    }
    await expectSlideOpen(page, 'small.svs');
    if (size.width < 1280) {
      await toggle.click();
      await expect(info(page)).toBeHidden();
    }
    const name = `workbench-${size.width}x${size.height}.png`;
    await page.screenshot({ path: process.env.PATHOLENS_UPDATE_SCREENSHOTS === '1' ? `docs/screenshots/${name}` : test.info().outputPath(name) });
    if (size.width < 1280) {
      // Closed is remembered: the next size starts closed too, until opened there.
      await page.evaluate(() => localStorage.removeItem('patholens.slideDetailsOpen'));
    }
  }

  // The splitter: End widens the panel to half the window, arrows step it, and the width survives a reload.
  const splitter = page.getByRole('separator', { name: 'Side panel width' });
  const panelWidth = async () => (await page.locator('#side-panel').boundingBox())!.width;
  await splitter.focus();
  await page.keyboard.press('End');
  await expect(splitter).toHaveAttribute('aria-valuenow', '960');
  expect(await panelWidth()).toBeCloseTo(960, 0);
  await page.keyboard.press('ArrowRight');
  await expect(splitter).toHaveAttribute('aria-valuenow', '944');
  await page.reload();
  await expect(page.getByRole('separator', { name: 'Side panel width' })).toHaveAttribute('aria-valuenow', '944');
  // A smaller window shrinks it so the slide keeps half.
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect(page.getByRole('separator', { name: 'Side panel width' })).toHaveAttribute('aria-valuenow', '512');
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
});
