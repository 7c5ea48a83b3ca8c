/**
 * Question banks as a teacher uses them (issue 11): on the demo slide, draw a region, write a question on it
 * (problems said next to their fields), let Patho-R1 (the tiny demo model) draft the explanation and stop it, add
 * the question to a new bank, export the bank as a zip, delete it (Undo offered), import the zip back (the same
 * bank, byte for byte), import a malformed CSV (bad rows listed by line and reason, valid rows kept) and a folder
 * (bank.json + images/), reload, and find the banks.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from '@playwright/test';
import { fixturePath } from '../tests/fixtures';
import { expect, test } from './fixtures';
import { loadTinyModel } from './model-helpers';
import { expectSlideOpen, expectTilesDrawn, focusSlide, gotoApp } from './viewer-helpers';

async function drawRegion(page: Page) {
  const box = await page.getByTestId('slide-stage').boundingBox();
  if (!box) throw new Error('no slide stage');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await focusSlide(page);
  await page.keyboard.press('r');
  await page.mouse.move(cx - 60, cy - 40);
  await page.mouse.down();
  await page.mouse.move(cx + 60, cy + 40, { steps: 6 });
  await page.mouse.up();
}

async function openBanks(page: Page) {
  await page.getByRole('tab', { name: 'Practice' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Practice' });
  await panel.getByRole('button', { name: 'Banks', exact: true }).click();
  return panel;
}

function bankJsonOf(zip: Buffer): string {
  const files = unzipSync(new Uint8Array(zip));
  const json = files['bank.json'];
  if (!json) throw new Error('no bank.json in the exported zip');
  return strFromU8(json);
}

test('author a question on a drawn region, draft its explanation, export the bank, import it and a CSV and a folder, reload', async ({
  page,
  watch,
}, testInfo) => {
  test.setTimeout(300_000);
  // Where a CSP violation comes from, so a failure names the script (the fixture records what was blocked).
  await page.addInitScript(() => {
    const sources: string[] = [];
    (window as unknown as { __cspSources: string[] }).__cspSources = sources;
    document.addEventListener('securitypolicyviolation', (event) =>
      sources.push(`${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`),
    );
  });
  await gotoApp(page);
  await expectSlideOpen(page, 'demo-slide.svs');
  await expectTilesDrawn(page);
  await drawRegion(page);

  const panel = await openBanks(page);
  const authoring = panel.getByTestId('question-authoring');
  await expect(authoring.getByTestId('authoring-region')).toContainText(/on the demo slide: x \d+, y \d+, \d+ × \d+ px \(level 0\)/);

  // Nothing filled in: each problem is said next to its field, nothing is added.
  await authoring.getByRole('button', { name: 'Add the question' }).click();
  await expect(authoring.getByTestId('authoring-stem-problem')).toHaveText('The question is empty.');
  await expect(authoring.getByTestId('authoring-answer-problem')).toHaveText('Mark the right answer (the round button next to it).');
  await expect(authoring.getByTestId('authoring-options-problem')).toHaveText('Option A is empty: write it or remove it.');
  await expect(authoring.getByTestId('authoring-added')).toHaveCount(0);
  // The Banks view, its problems shown, passes axe's WCAG 2 A/AA rules.
  const axe = await new AxeBuilder({ page }).include('#side-panel').withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`)).toEqual(
    [],
  );

  await authoring.getByLabel('Question', { exact: true }).fill('What are the round purple structures in this region?');
  await authoring.getByLabel('Option A', { exact: true }).fill('Red blood cells');
  await authoring.getByLabel('Option B', { exact: true }).fill('Nuclei stained by haematoxylin');
  await authoring.getByLabel('Option C', { exact: true }).fill('Fat vacuoles');
  await authoring.getByRole('button', { name: 'Remove option D' }).click();
  await expect(authoring.getByLabel('Option D', { exact: true })).toHaveCount(0);
  await authoring.getByLabel('Option B is the right answer').check();

  // Patho-R1 (the tiny demo model) drafts the explanation into the field; Stop keeps the draft, which stays editable.
  await loadTinyModel(page, 'patho-r1', { timeout: 120_000 });
  await page.getByRole('tab', { name: 'Practice' }).click();
  const explanation = authoring.getByLabel('Explanation', { exact: true });
  await explanation.fill('My own first words.');
  await authoring.getByRole('button', { name: 'Draft explanation with Patho-R1' }).click();
  const draft = authoring.getByTestId('authoring-draft');
  await expect(draft).toHaveAttribute('data-status', 'streaming', { timeout: 60_000 });
  await expect.poll(async () => (await explanation.inputValue()).length, { timeout: 60_000 }).toBeGreaterThan(20);
  await authoring.getByRole('button', { name: 'Stop' }).click();
  await expect(draft).toHaveAttribute('data-status', 'stopped');
  await expect(draft).toContainText('Stopped: the draft so far is kept.');
  const drafted = await explanation.inputValue();
  expect(drafted.length).toBeGreaterThan(20);
  expect(drafted).not.toContain('My own first words.');
  // The teacher's own text can come back, and the field is theirs to edit.
  await authoring.getByRole('button', { name: 'Put back my text' }).click();
  await expect(explanation).toHaveValue('My own first words.');
  await explanation.fill('Haematoxylin stains nuclei purple; red cells are pink and fat is empty.');

  await authoring.getByLabel('Tags (separated by commas)').fill('stains, demo');
  await authoring.getByLabel('Difficulty').selectOption('easy');
  await authoring.getByLabel('Add to bank').selectOption({ label: 'A new bank…' });
  await authoring.getByRole('button', { name: 'Add the question' }).click();
  await expect(authoring.getByText('Name the new bank.')).toBeVisible();
  await authoring.getByLabel("New bank's title").fill('Authoring e2e');
  await authoring.getByRole('button', { name: 'Add the question' }).click();
  await expect(authoring.getByTestId('authoring-added')).toHaveText(
    'Added “What are the round purple structures in this region?” to “Authoring e2e” (1 question there).',
  );
  // The form is ready for the next question, with the same bank, tags and difficulty.
  await expect(authoring.getByLabel('Question', { exact: true })).toHaveValue('');
  await expect(authoring.getByLabel('Add to bank')).toHaveValue('authoring-e2e');
  await expect(authoring.getByLabel('Tags (separated by commas)')).toHaveValue('stains, demo');

  const manager = panel.getByTestId('bank-manager');
  const rows = manager.getByTestId('bank-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Demo bank (synthetic demo slide) · 3 questions · built in');
  await expect(rows.nth(1)).toContainText('Authoring e2e · 1 question');
  // The demo bank cannot be deleted.
  await expect(rows.nth(0).getByRole('button', { name: /Delete/ })).toHaveCount(0);

  // Export: one zip with bank.json; the question's image is the drawn region on the demo slide.
  const exported = page.waitForEvent('download');
  await manager.getByRole('button', { name: 'Export “Authoring e2e” as a zip' }).click();
  const download = await exported;
  expect(download.suggestedFilename()).toBe('authoring-e2e.zip');
  const zipPath = testInfo.outputPath('authoring-e2e.zip');
  await download.saveAs(zipPath);
  const exportedJson = bankJsonOf(readFileSync(zipPath));
  const bank = JSON.parse(exportedJson) as { id: string; title: string; questions: Record<string, unknown>[] };
  expect(bank).toMatchObject({ format: 'patholens-question-bank', version: 1, id: 'authoring-e2e', title: 'Authoring e2e' });
  expect(bank.questions).toHaveLength(1);
  expect(bank.questions[0]).toMatchObject({
    id: 'what-are-the-round-purple-structures',
    stem: 'What are the round purple structures in this region?',
    options: ['Red blood cells', 'Nuclei stained by haematoxylin', 'Fat vacuoles'],
    answer: 1,
    explanation: 'Haematoxylin stains nuclei purple; red cells are pink and fat is empty.',
    tags: ['stains', 'demo'],
    difficulty: 'easy',
    image: { kind: 'slide-region', slide: 'demo' },
  });
  const region = (bank.questions[0]?.image as { region: { x: number; y: number; width: number; height: number } }).region;
  expect(Object.values(region).every(Number.isInteger)).toBe(true);
  expect(region.width).toBeGreaterThan(0);

  // Delete it (Undo offered), then import the zip back: the same bank, byte for byte on export.
  await manager.getByRole('button', { name: 'Delete “Authoring e2e”' }).click();
  await expect(rows).toHaveCount(1);
  await expect(manager.getByTestId('bank-undo')).toContainText('Deleted “Authoring e2e” (1 question).');
  await manager.getByLabel('Import a bank file (JSON, CSV or zip)').setInputFiles(zipPath);
  const report = manager.getByTestId('bank-import-report');
  await expect(report.getByRole('status')).toHaveText('Imported “Authoring e2e”: 1 question added.');
  await expect(rows).toHaveCount(2);
  const again = page.waitForEvent('download');
  await manager.getByRole('button', { name: 'Export “Authoring e2e” as a zip' }).click();
  const againPath = testInfo.outputPath('again.zip');
  await (await again).saveAs(againPath);
  expect(bankJsonOf(readFileSync(againPath))).toBe(exportedJson);

  // A malformed CSV: each bad row is listed by its line and reason; the valid rows are kept.
  const csv = [
    'id,stem,option_a,option_b,option_c,answer,explanation,tags',
    'c1,Which stain colours nuclei?,Haematoxylin,Eosin,,A,Basic dye.,stains',
    'c2,Which stain is pink?,Haematoxylin,Eosin,,Z,,stains',
    'c3,,Haematoxylin,Eosin,,A,,',
    'c4,What is white on a slide?,Glass,Tissue,Mucin,A,No tissue.,orientation',
  ].join('\n');
  await manager.getByLabel('Import a bank file (JSON, CSV or zip)').setInputFiles({ name: 'Stains quiz.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(report.getByRole('status')).toHaveText('Imported “Stains quiz”: 2 questions added; 2 problems listed below.');
  await expect(report.getByRole('list', { name: 'Rejected questions' }).getByRole('listitem')).toHaveText([
    'Row 3 (c2): answer "Z" is not an option letter A-J.',
    'Row 4 (c3): stem is empty.',
  ]);
  await expect(rows.nth(2)).toContainText('Stains quiz · 2 questions');

  // A folder: bank.json and the image it names in images/.
  const folder = testInfo.outputPath('folder-bank');
  mkdirSync(join(folder, 'images'), { recursive: true });
  writeFileSync(join(folder, 'images', 'q1.png'), readFileSync(fixturePath('boxes.png')));
  writeFileSync(
    join(folder, 'bank.json'),
    JSON.stringify({
      format: 'patholens-question-bank',
      version: 1,
      id: 'folder-bank',
      title: 'Folder bank',
      questions: [{ id: 'q1', stem: 'How many boxes?', options: ['One', 'Several'], answer: 1, image: { kind: 'file', path: 'images/q1.png' } }],
    }),
  );
  await manager.getByLabel('Import a bank folder').setInputFiles(folder);
  await expect(report.getByRole('status')).toHaveText('Imported “Folder bank”: 1 question added.');

  const beforeReload = await page.evaluate(() => (window as unknown as { __cspSources: string[] }).__cspSources);
  expect(await watch.cspViolations(), beforeReload.join('; ')).toEqual([]);

  // After a reload the banks are still here, in the same order.
  await page.reload();
  await expect(page.getByRole('main', { name: 'Slide viewer' })).toBeVisible();
  const reopened = await openBanks(page);
  const after = reopened.getByTestId('bank-row');
  await expect(after).toHaveCount(4);
  await expect(after.nth(1)).toContainText('Authoring e2e · 1 question');
  await expect(after.nth(2)).toContainText('Stains quiz · 2 questions');
  await expect(after.nth(3)).toContainText('Folder bank · 1 question');

  expect(watch.pageErrors).toEqual([]);
  const sources = await page.evaluate(() => (window as unknown as { __cspSources: string[] }).__cspSources);
  expect(await watch.cspViolations(), sources.join('; ')).toEqual([]);
});
