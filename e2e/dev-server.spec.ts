/**
 * `npm start` on a first visit: the dev server bundled its dependencies afresh (--force, as a fresh clone), and
 * loading a model starts the workers. Vite must not discover a dependency then and reload the page under the user:
 * the question being asked would disappear with no card and no error.
 */
import { DEV_PORT } from '../playwright.config';
import { expect, test } from './fixtures';
import { loadTinyModel } from './model-helpers';

test('the dev server never reloads the page on a first visit, a model load or a question', async ({ page }) => {
  test.setTimeout(180_000);
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await page.goto(`http://127.0.0.1:${DEV_PORT}/`);
  await expect(page.getByTestId('compute-backend')).not.toHaveAttribute('data-backend', 'detecting');
  // The demo slide opens at start; decoding its tiles starts the decode workers.
  await expect(page.getByRole('tabpanel', { name: 'Ask' })).toBeVisible();

  await loadTinyModel(page, 'patho-r1', { timeout: 120_000 });
  await loadTinyModel(page, 'pathoclip', { timeout: 120_000 });

  await page.getByRole('tab', { name: 'Ask' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Ask' });
  await panel.getByLabel('Question', { exact: true }).fill('What is the most likely diagnosis?');
  await panel.getByText('Sampling settings').click();
  await panel.getByLabel('Max new tokens').fill('4');
  await panel.getByRole('button', { name: 'Ask Patho-R1' }).click();
  await expect(panel.getByRole('article', { name: 'Answer to: What is the most likely diagnosis?' })).toHaveAttribute('data-status', 'done', {
    timeout: 120_000,
  });
  expect(navigations).toBe(1);
});
