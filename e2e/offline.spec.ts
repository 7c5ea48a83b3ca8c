/**
 * Offline, as a kiosk or a pathologist on a train uses it: one online visit (the service worker precaches the app,
 * ONNX Runtime's WASM and the demo slide; loading the demo models keeps them, verified, in Cache Storage), then the
 * network goes off and the page is reloaded: the app comes back cross-origin isolated, the demo slide opens and draws
 * (range requests answered from the precache), both demo models load from the cache and answer. The dev server
 * never registers a service worker.
 */
import type { Page } from '@playwright/test';
import { DEV_PORT } from '../playwright.config';
import { expect, test } from './fixtures';
import { expectTilesDrawn, info } from './viewer-helpers';

async function waitForActiveServiceWorker(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state ?? 'none'), { timeout: 120_000 })
    .toBe('activated');
}

async function loadDemoModels(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Models' }).click();
  for (const model of ['tiny/patho-r1', 'tiny/pathoclip']) {
    await expect(page.getByRole('button', { name: `Load ${model}`, exact: true })).toBeEnabled({ timeout: 30_000 });
    await page.getByRole('button', { name: `Load ${model}`, exact: true }).click();
    await expect(page.getByTestId(`model-state-${model}`)).toContainText('Loaded', { timeout: 90_000 });
  }
}

test('after one online visit the app, the demo slide and the cached demo models work with the network off, reload included', async ({
  page,
  context,
  watch,
}) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible({ timeout: 30_000 });
  await waitForActiveServiceWorker(page);
  await loadDemoModels(page);
  // The Models tab shows what this browser stores for PathoLens (the precache and the models are in it now).
  await expect(page.getByTestId('storage-usage')).toContainText(/ used of .* this browser allows PathoLens \(.* left\)\./);
  await expect(page.getByTestId('storage-persisted')).toContainText(/^(Persistent|Not persistent)/);

  await context.setOffline(true);
  await page.reload();
  // The page came from the service worker, with the headers it was precached with: still cross-origin isolated.
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByText('Cross-origin isolated', { exact: true })).toBeVisible();
  // Really offline: a file the service worker does not hold cannot be fetched.
  const uncached = await page.evaluate(() =>
    fetch('/models/tiny/patho-r1/config.json', { cache: 'no-store' }).then(
      (response) => `HTTP ${response.status}`,
      (error: Error) => `failed: ${error.name}`,
    ),
  );
  expect(uncached).toMatch(/^failed/);

  // The demo slide opens by itself, read piece by piece from the precache, and its tiles are drawn.
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible({ timeout: 30_000 });
  await expectTilesDrawn(page);

  // Both demo models load from Cache Storage, every file verified, nothing downloaded.
  await loadDemoModels(page);
  await page.getByRole('button', { name: 'Region from view' }).click();

  // Patho-R1 answers.
  await page.getByRole('tab', { name: 'Ask' }).click();
  const ask = page.getByRole('tabpanel', { name: 'Ask' });
  await expect(ask).toContainText('Asking about: Region');
  await ask.getByLabel('Question', { exact: true }).fill('What stain is this?');
  await ask.getByText('Sampling settings').click();
  await ask.getByLabel('Max new tokens').fill('8');
  await ask.getByRole('button', { name: 'Ask Patho-R1' }).click();
  await expect(ask.getByRole('article', { name: 'Answer to: What stain is this?' })).toHaveAttribute('data-status', 'done', { timeout: 120_000 });

  // PathoCLIP classifies.
  await page.getByRole('tab', { name: 'Classify' }).click();
  const classify = page.getByRole('tabpanel', { name: 'Classify' });
  await classify.getByLabel('Label set', { exact: true }).selectOption({ label: 'Tumour vs normal (preset)' });
  await classify.getByRole('button', { name: 'Classify' }).click();
  await expect(classify.getByRole('region', { name: 'Classification result' })).toHaveAttribute('data-status', 'done', { timeout: 120_000 });

  expect(watch.pageErrors).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
});

test('the dev server registers no service worker', async ({ page }) => {
  await page.goto(`http://127.0.0.1:${DEV_PORT}/`);
  await expect(page.getByRole('main', { name: 'Slide viewer' })).toBeVisible();
  const sw = await page.evaluate(async () => {
    const response = await fetch('/sw.js');
    return { registrations: (await navigator.serviceWorker.getRegistrations()).length, type: response.headers.get('content-type') ?? '' };
  });
  expect(sw.registrations).toBe(0);
  expect(sw.type).not.toMatch(/javascript/);
});
