/**
 * The Classify tab as a pathologist uses it: select a region, pick a label set, classify with the tiny demo
 * PathoCLIP (loaded in its worker from the Models tab, which shows its per-tower weights and the export's
 * quality report), read the probabilities; import a label set of one's own and see a broken one refused with a
 * sentence; the label set is still there after a reload.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { expectSlideOpen, gotoApp, openSlideFile } from './viewer-helpers';

test('load PathoCLIP and read its quality report, classify a region zero-shot, import a label set', async ({ page, watch }) => {
  test.setTimeout(180_000);
  await gotoApp(page);
  await openSlideFile(page, 'small.svs');
  await expectSlideOpen(page, 'small.svs');
  await page.getByRole('button', { name: 'Region from view' }).click();

  // Load the tiny demo model explicitly: on its own the Classify tab prefers an export in models/local when one exists.
  await page.getByRole('tab', { name: 'Models' }).click();
  const models = page.getByRole('tabpanel', { name: 'Models' });
  const row = models.getByRole('listitem', { name: 'Model tiny/pathoclip' });
  await expect(row.getByRole('button', { name: 'Load tiny/pathoclip' })).toBeEnabled({ timeout: 30_000 });
  await row.getByRole('button', { name: 'Load tiny/pathoclip' }).click();
  const backendLabel = test.info().project.name === 'webgpu' ? 'webgpu' : 'wasm';
  await expect(page.getByTestId('model-state-tiny/pathoclip')).toHaveText(new RegExp(`^Loaded \\(images q[48]\\w*, text fp32, ${backendLabel}\\)$`), {
    timeout: 60_000,
  });
  const quality = page.getByTestId('quality-tiny/pathoclip');
  await quality.locator('summary').click();
  await expect(quality.locator('tr[data-dtype="fp32"]')).toContainText('image cosine (min) 1.000');
  await expect(quality.locator('tr[data-dtype]')).toHaveCount(5);

  await page.getByRole('tab', { name: 'Classify' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Classify' });
  await expect(panel).toContainText('Classifying: Region');
  await panel.getByLabel('Label set', { exact: true }).selectOption({ label: 'Tumour vs normal (preset)' });
  await panel.getByRole('button', { name: 'Classify' }).click();
  const result = panel.getByRole('region', { name: 'Classification result' });
  await expect(result).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const scores = result.getByTestId('class-score');
  await expect(scores).toHaveCount(2);
  const probabilities = await scores.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-probability'))));
  expect(probabilities.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 5);
  expect(probabilities[0]).toBeGreaterThanOrEqual(probabilities[1]!); // ranked, most likely first
  expect(await scores.evaluateAll((items) => items.map((item) => item.getAttribute('data-class')).sort())).toEqual(['normal tissue', 'tumor']);
  await expect(result).toContainText(/tiles? of 32 px at/);

  // A label set of one's own, in PathoCLIP's zero-shot JSON; then a broken file, refused with a sentence.
  const own = { name: 'Three classes', classnames: [['necrosis'], ['stroma', 'fibrous stroma'], ['tumour']], templates: ['an H&E image of CLASSNAME.'] };
  await panel
    .getByLabel('Import label set (JSON)')
    .setInputFiles({ name: 'three.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(own)) });
  await expect(panel.getByLabel('Label set', { exact: true })).toHaveValue(/^user:/);
  await expect(panel).toContainText('Classes: necrosis, stroma, tumour');
  await panel.getByRole('button', { name: 'Classify' }).click();
  await expect(result).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(result.getByTestId('class-score')).toHaveCount(3);
  await panel
    .getByLabel('Import label set (JSON)')
    .setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"classnames": [["only"]], "templates": ["CLASSNAME"]}') });
  await expect(panel.getByRole('alert')).toHaveText('broken.json: A label set needs at least two classes to choose between.');
  await expect(result.getByTestId('class-score')).toHaveCount(3); // the last result stays

  const axe = await new AxeBuilder({ page }).include('#side-panel').withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);

  // The imported label set is kept across a reload.
  await page.reload();
  await page.getByRole('tab', { name: 'Classify' }).click();
  await expect(
    page.getByRole('tabpanel', { name: 'Classify' }).getByLabel('Label set', { exact: true }).locator('option', { hasText: 'Three classes' }),
  ).toHaveCount(1);

  const origin = new URL(page.url()).origin;
  expect(watch.requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin)).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
});
