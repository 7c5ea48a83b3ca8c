/**
 * Reading the image while the question is typed (issue #18): with Patho-R1 loaded and a region selected, Ask reads
 * the region's image ahead ("Reading the image…", then "Image read"), and the answer that follows reuses it. Greedy
 * decoding gives byte-identical text with and without the image read ahead (tiny demo model).
 */
import { expect, test } from './fixtures';
import { loadTinyModel } from './model-helpers';
import { expectSlideOpen, gotoApp, openSlideFile } from './viewer-helpers';

test('an answer after the image was read ahead equals the answer that reads it itself', async ({ page }) => {
  test.setTimeout(240_000);
  await gotoApp(page);
  await openSlideFile(page, 'small.svs');
  await expectSlideOpen(page, 'small.svs');
  await loadTinyModel(page, 'patho-r1');
  await page.getByRole('tab', { name: 'Ask' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Ask' });
  const readAhead = panel.getByLabel('Read the region ahead');
  await readAhead.uncheck();
  await page.getByRole('button', { name: 'Region from view' }).click();
  await expect(panel).toContainText('Asking about: Region');
  await panel.getByText('Sampling settings').click();
  await panel.getByLabel('Max new tokens').fill('16');
  const question = panel.getByLabel('Question', { exact: true });

  // Without reading ahead: the answer reads the image itself.
  await question.fill('Describe the tissue');
  await expect(panel.getByTestId('image-pre-read')).toHaveCount(0);
  await panel.getByRole('button', { name: 'Ask Patho-R1' }).click();
  const cold = panel.getByRole('article', { name: 'Answer to: Describe the tissue' });
  await expect(cold).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(cold).not.toContainText('image read before the question');
  const coldText = await cold.getByTestId('answer-text').textContent();
  expect(coldText).toBeTruthy();

  // A new conversation about the same region, reading ahead: the panel says so, then the answer reuses the reading.
  await panel.getByRole('button', { name: 'New conversation' }).click();
  await readAhead.check();
  await expect(panel.getByTestId('image-pre-read')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(panel.getByTestId('image-pre-read')).toContainText('Image read');
  await panel.getByRole('button', { name: 'Ask Patho-R1' }).click();
  const warm = panel.getByRole('article', { name: 'Answer to: Describe the tissue' });
  await expect(warm).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(warm).toContainText('image read before the question');
  // …and the prompt before the question (system turn + image tokens) was prefilled with it (#18).
  await expect(warm).toContainText(/with the \d+ prompt tokens before it/);
  expect(await warm.getByTestId('answer-text').textContent()).toBe(coldText);
  // Answered: the conversation continues from its cache, nothing more is read ahead.
  await expect(panel.getByTestId('image-pre-read')).toHaveCount(0);
});
