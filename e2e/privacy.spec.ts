/**
 * Privacy for a whole session, as a pathologist or trainee uses the app in one sitting on the demo slide with the
 * tiny models: ask Patho-R1 about a region, classify it, index and search the slide, practise a question, export
 * the session. Every request of the browser context (pages, workers, the service worker) and every WebSocket is
 * recorded; anything that is not the app's own origin (or a data:/blob: URL made in the page) fails the test.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { expectTilesDrawn, gotoApp, info } from './viewer-helpers';

test('a full session sends nothing to any other origin', async ({ page, context, baseURL }) => {
  test.setTimeout(420_000);
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  const sockets: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  page.on('websocket', (socket) => sockets.push(socket.url()));

  await gotoApp(page);
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible({ timeout: 30_000 });
  await expectTilesDrawn(page);

  await page.getByRole('tab', { name: 'Models' }).click();
  await page.getByRole('button', { name: 'Load tiny/patho-r1', exact: true }).click();
  await page.getByRole('button', { name: 'Load tiny/pathoclip', exact: true }).click();
  await expect(page.getByTestId('model-state-tiny/patho-r1')).toContainText('Loaded', { timeout: 90_000 });
  await expect(page.getByTestId('model-state-tiny/pathoclip')).toContainText('Loaded', { timeout: 90_000 });

  // Ask about a region.
  await page.getByRole('button', { name: 'Region from view' }).click();
  await page.getByRole('tab', { name: 'Ask' }).click();
  const ask = page.getByRole('tabpanel', { name: 'Ask' });
  await ask.getByText('Sampling settings').click();
  await ask.getByLabel('Max new tokens').fill('8');
  await ask.getByLabel('Question', { exact: true }).fill('Describe the histological features');
  await ask.getByRole('button', { name: 'Ask Patho-R1' }).click();
  await expect(ask.getByRole('article', { name: 'Answer to: Describe the histological features' })).toHaveAttribute('data-status', 'done', {
    timeout: 120_000,
  });

  // Classify it.
  await page.getByRole('tab', { name: 'Classify' }).click();
  const classify = page.getByRole('tabpanel', { name: 'Classify' });
  await classify.getByLabel('Label set', { exact: true }).selectOption({ label: 'Tumour vs normal (preset)' });
  await classify.getByRole('button', { name: 'Classify' }).click();
  await expect(classify.getByRole('region', { name: 'Classification result' })).toHaveAttribute('data-status', 'done', { timeout: 120_000 });

  // Index and search the slide.
  await page.getByRole('tab', { name: 'Search' }).click();
  const search = page.getByRole('tabpanel', { name: 'Search' });
  await search.getByLabel('Magnification').selectOption('5');
  await search.getByRole('button', { name: 'Index slide' }).click();
  await expect(search.getByTestId('index-summary')).toContainText(/^Indexed [\d,]+ tissue tiles/, { timeout: 240_000 });
  await search.getByLabel('Search text').fill('necrosis');
  await search.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(search.getByTestId('search-query').first()).toHaveAttribute('data-status', 'done', { timeout: 30_000 });

  // Practise a question.
  await page.getByRole('tab', { name: 'Practice' }).click();
  const card = page.getByRole('tabpanel', { name: 'Practice' }).getByTestId('practice-question');
  await card.getByRole('button', { name: /^A\. / }).click();
  await card.getByRole('button', { name: 'Submit answer' }).click();
  await expect(card.getByTestId('practice-result')).toContainText('The answer is');

  // Export the session (from the slide details drawer, opened if the window is narrow).
  const toggle = page.getByTestId('slide-details-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
  const download = page.waitForEvent('download');
  await info(page).getByRole('button', { name: 'Export session' }).click();
  const session = readFileSync(await (await download).path());
  expect(session.subarray(0, 2).toString('latin1')).toBe('PK'); // a zip

  const elsewhere = requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
  expect(elsewhere).toEqual([]);
  expect(sockets).toEqual([]);
  // The session really went through the app: slide ranges, model files and the ONNX Runtime were all fetched here.
  expect(requests.some((url) => url.includes('/demo/demo-slide.svs'))).toBe(true);
  expect(requests.some((url) => url.includes('/models/tiny/'))).toBe(true);
  expect(requests.some((url) => url.endsWith('.wasm'))).toBe(true);
});
