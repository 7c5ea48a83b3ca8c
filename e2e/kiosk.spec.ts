/**
 * Kiosk mode as a museum or teaching-lab visitor meets it: an attract screen and the research-model notice, large
 * touch targets, no way to open a file or a URL, the demo slide and demo models ready; left alone, a warning, then
 * the session starts over with the visitor's regions gone. A kiosk.json next to the app turns it on and configures it.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { info } from './viewer-helpers';

/** Waits behind the attract screen (the idle timer does not run there) until the demo slide is open, then starts. */
async function start(page: Page): Promise<void> {
  const attract = page.getByTestId('kiosk-attract');
  await expect(attract).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Region from view' })).toBeEnabled({ timeout: 30_000 });
  await attract.getByRole('button', { name: 'Touch to start' }).click();
  await expect(attract).toBeHidden();
}

async function regionsDrawer(page: Page) {
  const toggle = page.getByTestId('slide-details-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
  return page.getByRole('list', { name: 'Regions of this slide' });
}

/** Regions saved in IndexedDB for any slide (src/storage/schema.ts: patholens-viewer / slide-rois, field rois). */
async function savedRegionCount(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('patholens-viewer');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('slide-rois')) {
            db.close();
            return resolve(0);
          }
          const all = db.transaction('slide-rois').objectStore('slide-rois').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            db.close();
            resolve((all.result as { rois?: unknown[] }[]).reduce((sum, record) => sum + (record.rois?.length ?? 0), 0));
          };
        };
      }),
  );
}

test('?kiosk=1: attract screen and notice, large touch targets, no file pickers or URL fields, demo slide and models ready', async ({ page, watch }) => {
  test.setTimeout(180_000);
  await page.goto('/?kiosk=1');
  const attract = page.getByRole('dialog', { name: 'PathoLens' });
  await expect(attract).toBeVisible();
  await expect(attract).toContainText('Answers come from a research model, not a diagnosis.');
  await expect(page.getByTestId('kiosk-notice')).toHaveText('Answers come from a research model, not a diagnosis. Not for clinical use.');
  await start(page);
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('kiosk-notice')).toBeVisible();

  // Nothing opens the visitor's files or an address: no file input or URL field can be seen or clicked.
  const fileInputs = page.locator('input[type="file"]');
  expect(await fileInputs.count()).toBeGreaterThan(0); // the features still have them; the kiosk hides them
  for (const input of await fileInputs.all()) await expect(input).toBeHidden();
  for (const input of await page.locator('input[type="url"]').all()) await expect(input).toBeHidden();
  await expect(page.getByText('Open slide', { exact: true })).toBeHidden();
  await expect(page.getByText('Slide URL', { exact: true })).toBeHidden();
  await expect(page.getByRole('tab', { name: 'Models' })).toBeHidden();
  const refused = await page.evaluate(() => {
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    const click = new MouseEvent('click', { bubbles: true, cancelable: true });
    input.dispatchEvent(click);
    return click.defaultPrevented;
  });
  expect(refused).toBe(true);

  // Large touch targets: every tab and toolbar button is at least 44 px high.
  for (const target of [...(await page.getByRole('tab').all()), page.getByRole('button', { name: 'Region from view' })]) {
    if (!(await target.isVisible())) continue;
    expect((await target.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  }

  // The demo models were loaded at start, without the visitor asking.
  for (const model of ['tiny/patho-r1', 'tiny/pathoclip']) {
    await expect.poll(() => page.getByTestId(`model-state-${model}`).textContent(), { timeout: 90_000 }).toMatch(/^Loaded/);
  }
  expect(watch.pageErrors).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
});

test('left alone, the kiosk warns, can be continued, then starts over with the regions gone', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/?kiosk=1&idle=8&warning=4');
  await start(page);
  await page.getByRole('button', { name: 'Region from view' }).click();
  const regions = await regionsDrawer(page);
  await expect(regions.getByRole('listitem')).toHaveCount(1);

  // The warning; Continue keeps the session.
  const warning = page.getByRole('alertdialog', { name: 'Are you still there?' });
  await expect(warning).toBeVisible({ timeout: 30_000 });
  await expect(warning).toContainText(/starts over in \d s/);
  await warning.getByRole('button', { name: 'Continue' }).click();
  await expect(warning).toBeHidden();
  await expect(regions.getByRole('listitem')).toHaveCount(1);

  // The region is saved in this browser (as outside kiosk mode, where it comes back after a reload).
  await expect.poll(() => savedRegionCount(page)).toBe(1);

  // Left alone again: the session starts over (the page reloads) at the attract screen, and the region is gone,
  // from the screen and from storage.
  await expect(warning).toBeVisible({ timeout: 30_000 });
  await start(page);
  await regionsDrawer(page);
  await expect(page.getByText(/^No regions yet\./)).toBeVisible();
  expect(await savedRegionCount(page)).toBe(0);
});

test('a kiosk.json next to the app turns kiosk mode on; its bad fields are named and replaced by defaults', async ({ page }) => {
  await page.route('**/kiosk.json', (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify({ title: 'Museum of Pathology', idleTimeoutSeconds: 'soon', colour: 'red' }) }),
  );
  await page.goto('/');
  const attract = page.getByRole('dialog', { name: 'Museum of Pathology' });
  await expect(attract).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('kiosk-notice')).toBeVisible();
  await attract.getByRole('button', { name: 'Touch to start' }).click();
  const errors = page.getByRole('alert', { name: 'Errors' });
  await expect(errors).toContainText(/kiosk\.json: idleTimeoutSeconds: .*; the default \(180\) is used\./);
  await expect(errors).toContainText(/kiosk\.json: the file: .*colour.*; it is ignored\./);
});
