/**
 * Answer actions in the Ask conversation panel, in one page load: bad settings are said next to the field and
 * nothing is sent; Copy puts the answer on the clipboard; Regenerate replaces the last answer in place; Edit and
 * resend replaces it with the edited question; the conversation exports as markdown with the region's PNG
 * snapshot; the panel's region picker switches threads; Delete removes an answer. (Threads, Enter, scroll-stop and empty-question are in ask.spec.ts.)
 */
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { loadTinyModel } from './model-helpers';
import { expectSlideOpen, gotoApp, openSlideFile } from './viewer-helpers';

test('copy, regenerate, edit and resend, export as markdown, delete; bad settings said next to the field', async ({ page }) => {
  test.setTimeout(240_000);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await gotoApp(page);
  await openSlideFile(page, 'small.svs');
  await expectSlideOpen(page, 'small.svs');
  await page.getByRole('button', { name: 'Region from view' }).click();
  await loadTinyModel(page, 'patho-r1');
  await page.getByRole('tab', { name: 'Ask' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Ask' });
  const questionField = panel.getByLabel('Question', { exact: true });
  await panel.getByText('Sampling settings').click();
  await page.evaluate(() => {
    const hook = (window as unknown as { __patholens: { askStore: { getState(): { setSettings(settings: object): void } } } }).__patholens;
    hook.askStore.getState().setSettings({ minNewTokens: 0 });
  });

  // Bad settings: the sentence is next to the settings, nothing is sent, no "Failed" card.
  await panel.getByLabel('Max new tokens').fill('0');
  await questionField.fill('Grade this tumour');
  await questionField.press('Enter');
  await expect(panel.getByTestId('settings-problem')).toContainText('Nothing is sent until this is fixed.');
  await expect(panel.getByTestId('ask-answer')).toHaveCount(0);
  await panel.getByLabel('Max new tokens').fill('12');
  await expect(panel.getByTestId('settings-problem')).toHaveCount(0);
  await questionField.press('Enter');
  const first = panel.getByRole('article', { name: 'Answer to: Grade this tumour' });
  await expect(first).toHaveAttribute('data-status', 'done', { timeout: 180_000 });

  // Copy: the clipboard holds the answer as shown.
  await first.getByRole('button', { name: 'Copy' }).click();
  await expect(first.getByRole('button', { name: 'Copied' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.trim().length).toBeGreaterThan(0);
  expect((await first.getByTestId('answer-text').innerText()).replace(/\s+/g, ' ')).toContain(copied.trim().replace(/\s+/g, ' '));

  // Regenerate: the last answer is replaced in place, not added.
  await first.getByRole('button', { name: 'Regenerate' }).click();
  await expect(first).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(panel.getByTestId('ask-answer')).toHaveCount(1);

  // Edit and resend: the question comes back into the field; sending replaces the last answer.
  await first.getByRole('button', { name: 'Edit and resend' }).click();
  await expect(questionField).toHaveValue('Grade this tumour');
  await expect(panel.getByTestId('question-problem')).toHaveText('Editing: sending replaces the last answer.');
  await questionField.fill('Describe the nuclei');
  await questionField.press('Enter');
  const edited = panel.getByRole('article', { name: 'Answer to: Describe the nuclei' });
  await expect(edited).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(panel.getByTestId('ask-answer')).toHaveCount(1);

  // Export: markdown with the question and the region as a PNG data URL.
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export as markdown' }).click();
  const markdown = await readFile((await (await download).path())!, 'utf8');
  expect(markdown).toContain('Describe the nuclei');
  expect(markdown).not.toContain('Grade this tumour');
  expect(markdown).toMatch(/!\[[^\]]*\]\(data:image\/png;base64,[A-Za-z0-9+/=]{100,}\)/);

  // The region picker in the panel: "none" asks about the view (a new thread); picking the region brings its thread back.
  const picker = panel.getByLabel('Region', { exact: true });
  await expect(picker.locator('option:checked')).not.toHaveText(/^None/);
  await picker.selectOption({ index: 0 });
  await expect(panel.getByText('Asking about:')).toContainText('The current view');
  await expect(panel.getByTestId('ask-answer')).toHaveCount(0);
  await picker.selectOption({ index: 1 });
  await expect(edited).toHaveAttribute('data-status', 'done');
  await expect(page.locator('[data-testid="roi-overlay"] g[data-selected]')).toHaveCount(1);

  const axe = await new AxeBuilder({ page }).include('#side-panel').withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);

  // Delete: the answer leaves the thread.
  await edited.getByRole('button', { name: 'Delete' }).click();
  await expect(panel.getByTestId('ask-answer')).toHaveCount(0);
});
