/**
 * Issue 13, "nothing lost": a reload in the middle of a streamed answer keeps every finished answer and the
 * partial one, marked stopped, with at least the text that was on screen when the page went. Then the slide's
 * session goes out as one file and comes back in after its region and an answer were deleted, without dropping
 * what was added since; a second import adds nothing; a file that is not a session gets a sentence.
 */
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { expect, test } from './fixtures';
import { loadTinyModel } from './model-helpers';
import { expectSlideOpen, gotoApp, openSlideFile } from './viewer-helpers';

test('a reload while Patho-R1 streams keeps the finished answer and the partial one, marked stopped', async ({ page, watch }) => {
  test.setTimeout(300_000);
  await gotoApp(page);
  await openSlideFile(page, 'small.svs');
  await expectSlideOpen(page, 'small.svs');
  await page.getByRole('button', { name: 'Region from view' }).click();
  await loadTinyModel(page, 'patho-r1');
  await page.getByRole('tab', { name: 'Ask' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Ask' });
  const questionField = panel.getByLabel('Question', { exact: true });
  await panel.getByText('Sampling settings').click();
  await panel.getByLabel('Max new tokens').fill('12');
  await questionField.fill('Grade this tumour');
  await questionField.press('Enter');
  const first = panel.getByRole('article', { name: 'Answer to: Grade this tumour' });
  await expect(first).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  const firstText = (await first.getByTestId('answer-text').textContent()) ?? '';

  await panel.getByLabel('Max new tokens').fill('2000');
  await page.evaluate(() => {
    const hook = (window as unknown as { __patholens: { askStore: { getState(): { setSettings(settings: object): void } } } }).__patholens;
    hook.askStore.getState().setSettings({ minNewTokens: 2000 });
  });
  await questionField.fill('Describe the histological features');
  await questionField.press('Enter');
  const second = panel.getByRole('article', { name: 'Answer to: Describe the histological features' });
  await expect(second).toHaveAttribute('data-status', 'streaming', { timeout: 60_000 });
  // Some text, then a reload in the middle of the stream (the store's text, not the screen's, is what is saved).
  const streamed = () =>
    page.evaluate(() => {
      const hook = (window as unknown as { __patholens: { askStore: { getState(): { answers: Array<{ question: string; reply: string }> } } } }).__patholens;
      return hook.askStore.getState().answers.find((answer) => answer.question === 'Describe the histological features')?.reply ?? '';
    });
  await expect.poll(async () => (await streamed()).length, { timeout: 120_000 }).toBeGreaterThan(40);
  const beforeReload = await streamed();
  await page.reload();

  await gotoApp(page);
  await openSlideFile(page, 'small.svs');
  await expectSlideOpen(page, 'small.svs');
  await page.getByTestId('roi-item').first().getByRole('button', { name: /^Show/ }).click();
  await page.getByRole('tab', { name: 'Ask' }).click();
  await expect(second).toHaveAttribute('data-status', 'stopped');
  await expect(second.getByTestId('answer-status')).toHaveText('Stopped');
  await expect(first).toHaveAttribute('data-status', 'done');
  expect((await first.getByTestId('answer-text').textContent()) ?? '').toBe(firstText);
  // Everything streamed before the page went is there (and perhaps a little more that arrived after it was read).
  const restored = await streamed();
  expect(restored.startsWith(beforeReload)).toBe(true);

  // Session file: export, then delete the region and the first answer, draw another region, and import.
  const details = page.locator('#slide-details');
  const downloadPromise = page.waitForEvent('download');
  await details.getByRole('button', { name: 'Export session' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('small.patholens-session.zip');
  const zipPath = test.info().outputPath('small.patholens-session.zip');
  await download.saveAs(zipPath);
  const zip = unzipSync(new Uint8Array(await readFile(zipPath)));
  const manifest = JSON.parse(new TextDecoder().decode(zip['session.json'])) as { regions: Array<{ id: string }>; answers: unknown[] };
  expect(manifest.regions).toHaveLength(1);
  expect(manifest.answers).toHaveLength(2);
  const snapshot = zip[`snapshots/${manifest.regions[0]!.id}.png`];
  expect(snapshot && Array.from(snapshot.subarray(0, 4))).toEqual([137, 80, 78, 71]);
  await expect(details.getByTestId('session-file-notes')).toHaveText('Exported 1 region, 2 answers and 0 reviews.');

  await first.getByRole('button', { name: 'Delete' }).click();
  await expect(first).toHaveCount(0);
  await page
    .getByTestId('roi-item')
    .first()
    .getByRole('button', { name: /^Delete/ })
    .click();
  await expect(page.getByTestId('roi-item')).toHaveCount(0);
  await page.getByRole('button', { name: 'Region from view' }).click();
  await expect(page.getByTestId('roi-item')).toHaveCount(1);
  // The same view gives the same shape and name as the deleted region, which would be "the same region": rename it.
  const drawnAfter = page.getByTestId('roi-item').first().getByLabel('Name');
  await drawnAfter.fill('Drawn after the export');
  await drawnAfter.press('Enter');
  const sessionInput = details.locator('input[type="file"][accept=".zip,application/zip"]');
  await sessionInput.setInputFiles(zipPath);
  await expect(details.getByTestId('session-file-notes')).toContainText('Imported 1 region, 1 answer and 0 reviews from small.patholens-session.zip');
  await expect(page.getByTestId('roi-item')).toHaveCount(2);
  await expect(page.getByTestId('roi-item').first().getByLabel('Name')).toHaveValue('Drawn after the export');
  await page.getByTestId('roi-item').nth(1).getByRole('button', { name: /^Show/ }).click();
  await expect(first).toHaveAttribute('data-status', 'done');
  await expect(second).toHaveAttribute('data-status', 'stopped');
  // The same file again adds nothing.
  await sessionInput.setInputFiles(zipPath);
  await expect(details.getByTestId('session-file-notes')).toContainText('Imported 0 regions, 0 answers and 0 reviews');
  await expect(page.getByTestId('roi-item')).toHaveCount(2);
  // Not a session: one sentence, nothing changes.
  await sessionInput.setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip') });
  await expect(details.getByTestId('session-file-notes')).toContainText('notes.zip is not a PathoLens session file');
  await expect(page.getByTestId('roi-item')).toHaveCount(2);

  // A printable report of one answer: on screen nothing changes; printed, the report is all there is.
  await page.evaluate(() => {
    const counted = window as unknown as { __printCalls: number };
    counted.__printCalls = 0;
    window.print = () => void (counted.__printCalls += 1); // headless Chromium has no print dialog to wait for
  });
  await first.getByRole('button', { name: 'Print report' }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __printCalls: number }).__printCalls)).toBe(1);
  const report = page.getByTestId('print-report');
  await expect(report).toBeHidden();
  await expect(page.locator('#root')).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(report).toBeVisible();
  await expect(page.locator('#root')).toBeHidden();
  await expect(report.getByRole('heading', { name: 'PathoLens report' })).toBeVisible();
  await expect(report).toContainText('small.svs');
  await expect(report).toContainText('Grade this tumour');
  await expect(report.getByTestId('report-answer')).toContainText(firstText.trim().slice(0, 20));
  await expect(report.getByRole('img', { name: /^Snapshot of Region/ })).toBeVisible();
  // small.svs is 16 x 16 px: the snapshot is the whole region at full resolution.
  expect(await report.getByRole('img').evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(16);
  await expect(report.getByTestId('report-scale-bar')).toHaveText(/^\d+(\.\d+)? (µm|mm)$/);
  const facts = report.getByTestId('report-facts');
  await expect(facts).toContainText('Modeltiny/patho-r1');
  await expect(facts).toContainText(/Weights \(dtype\)(fp32|fp16|q8|q4|q4f16)Backend(WASM|WebGPU)/);
  await expect(facts).toContainText(/Answered20\d\d-\d\d-\d\d \d\d:\d\d UTC/);
  await page.emulateMedia({ media: 'screen' });
  await expect(report).toBeHidden();
  expect(watch.pageErrors).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
});
