/**
 * Patho-R1 on a department's OpenAI-compatible server, as a pathologist sets it up: the server's address in the
 * Models tab, a connection test that lists its models, Ask switched to the server, and an answer about a region
 * streamed from it. A real `transformers serve` (tiny checkpoint, CPU) on 127.0.0.1; the page's CSP names its
 * origin through PATHOLENS_CONNECT_SOURCES (playwright.config.ts). A server without CORS gets the sentence on how
 * to enable it. An API key is set (transformers serve ignores it, but it crosses CORS as vLLM's and SGLang's would):
 * it goes to the server, stays in this browser's storage, and is in none of the session file, the printed report,
 * the training-data export or the console.
 */
import { readFile } from 'node:fs/promises';
import type { Download } from '@playwright/test';
import { unzipSync } from 'fflate';
import { REMOTE_SERVER_TEST_PORTS } from '../playwright.config';
import { startTransformersServe, type RunningServer } from '../tests/servers/transformers-serve';
import { expect, test } from './fixtures';
import { expectSlideOpen, gotoApp, openSlideFile } from './viewer-helpers';

let server: RunningServer | undefined;
let noCorsServer: RunningServer | undefined;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  [server, noCorsServer] = await Promise.all([
    startTransformersServe({ port: REMOTE_SERVER_TEST_PORTS.cors }),
    startTransformersServe({ port: REMOTE_SERVER_TEST_PORTS.noCors, cors: false }),
  ]);
});

test.afterAll(async () => {
  await Promise.all([server?.stop(), noCorsServer?.stop()]);
});

test('a remote server answers Ask, streamed, and a server without CORS is explained', async ({ page, watch }) => {
  test.setTimeout(180_000);
  const remote = server!;
  const API_KEY = 'sk-patholens-e2e-7f3c9a1d';
  const chatBodies: string[] = [];
  const chatAuthorizations: (string | undefined)[] = [];
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(message.text()));
  page.on('request', (request) => {
    if (request.url().endsWith('/v1/chat/completions') && request.method() === 'POST') {
      chatBodies.push(request.postData() ?? '');
      chatAuthorizations.push(request.headers().authorization);
    }
  });
  /** Every file of a downloaded zip as text, to search for the key. */
  const zipText = async (download: Download, name: string) => {
    const file = test.info().outputPath(name);
    await download.saveAs(file);
    return Object.entries(unzipSync(new Uint8Array(await readFile(file)))).map(([entry, bytes]) => `${entry}\n${Buffer.from(bytes).toString('latin1')}`);
  };
  await gotoApp(page);
  await openSlideFile(page, 'small.svs');
  await expectSlideOpen(page, 'small.svs');
  await page.getByRole('button', { name: 'Region from view' }).click();

  await page.getByRole('tab', { name: 'Models' }).click();
  const models = page.getByRole('tabpanel', { name: 'Models' });
  const settings = models.getByRole('region', { name: 'Remote server' });

  // No CORS: the browser refuses the answer; the sentence says how to allow it on each server.
  await settings.getByLabel('Server address').fill(noCorsServer!.baseUrl);
  await settings.getByRole('button', { name: 'Test connection' }).click();
  await expect(settings.getByRole('status')).toContainText('could not reach the server');
  await expect(settings.getByRole('status')).toContainText('--enable-cors');
  await expect(settings.getByRole('status')).toContainText('PATHOLENS_CONNECT_SOURCES');

  await settings.getByLabel('Server address').fill(remote.baseUrl);
  await settings.getByLabel('API key (optional)').fill(API_KEY);
  await settings.getByRole('button', { name: 'Test connection' }).click();
  await expect(settings.getByRole('status')).toContainText(`Connected to ${remote.baseUrl}/v1`);
  await expect(settings.getByLabel('Model')).toHaveValue(remote.model);
  await settings.getByRole('radiogroup', { name: 'Ask answered by' }).getByLabel('Remote server').check();
  // Evaluation is scored from the command line: the Models tab gives the command for this server, key left out.
  const evalCommand = settings.getByTestId('remote-eval-command');
  await expect(evalCommand).toContainText(
    `OPENAI_API_KEY=<your key> npm run eval -- mcq --data <benchmark> --out <folder> --remote ${remote.baseUrl} --model ${remote.model}`,
  );
  await expect(evalCommand).not.toContainText(API_KEY);

  await page.getByRole('tab', { name: 'Ask' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Ask' });
  await panel.getByLabel('Question', { exact: true }).fill('What is the most likely diagnosis?');
  await panel.getByText('Sampling settings').click();
  await panel.getByLabel('Max new tokens').fill('16');
  await panel.getByRole('button', { name: 'Ask Patho-R1' }).click();
  const answer = panel.getByRole('article', { name: 'Answer to: What is the most likely diagnosis?' });
  await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(answer).toContainText(`Remote server · ${remote.model}`);
  await expect(answer.getByTestId('answer-text')).not.toBeEmpty();

  // A pathologist reviews the answer: the verdict is kept (with the region) as training data.
  await answer.getByText('Review this answer').click();
  await answer.getByRole('button', { name: 'Correct', exact: true }).click();
  await expect(answer.getByTestId('feedback-panel')).toContainText('Saved: marked correct.');
  await page.getByRole('tab', { name: 'Models' }).click();
  const download = page.waitForEvent('download');
  await models.getByRole('button', { name: 'Export feedback as training data' }).click();
  expect((await download).suggestedFilename()).toMatch(/^patholens-feedback-\d{4}-\d{2}-\d{2}\.zip$/);
  await expect(models).toContainText('Exported 1 piece of feedback.');
  const feedbackFiles = await zipText(await download, 'feedback.zip');
  expect(feedbackFiles.some((file) => file.includes('sft'))).toBe(true);
  await page.getByRole('tab', { name: 'Ask' }).click();

  // The session file of the slide (regions, answers, reviews, snapshots).
  const sessionDownload = page.waitForEvent('download');
  await page.locator('#slide-details').getByRole('button', { name: 'Export session' }).click();
  const sessionFiles = await zipText(await sessionDownload, 'session.zip');
  expect(sessionFiles.some((file) => file.startsWith('session.json') && file.includes(remote.model))).toBe(true);

  // The printed report of the remote answer.
  await page.evaluate(() => {
    window.print = () => undefined; // headless Chromium has no print dialog to wait for
  });
  await answer.getByRole('button', { name: 'Print report' }).click();
  await page.emulateMedia({ media: 'print' });
  const report = page.getByTestId('print-report');
  await expect(report).toBeVisible();
  await expect(report).toContainText(remote.model);
  const reportHtml = await report.evaluate((element) => element.outerHTML);
  await page.emulateMedia({ media: 'screen' });

  // The key went to the server with the question, and is in no export, report or console line.
  expect(chatAuthorizations).toEqual([`Bearer ${API_KEY}`]);
  for (const [what, texts] of [
    ['feedback export', feedbackFiles],
    ['session file', sessionFiles],
    ['printed report', [reportHtml]],
    ['answer card', [(await answer.textContent()) ?? '']],
    ['console', consoleLines],
  ] as const) {
    expect(
      texts.filter((text) => text.includes(API_KEY)),
      what,
    ).toEqual([]);
  }

  // What went to the server: the region as a PNG data URL, Patho-R1's system prompt, greedy, streamed.
  expect(chatBodies).toHaveLength(1);
  const body = JSON.parse(chatBodies[0]!) as {
    model: string;
    stream: boolean;
    temperature: number;
    max_tokens: number;
    messages: { role: string; content: unknown }[];
  };
  expect(body).toMatchObject({ model: remote.model, stream: true, temperature: 0, max_tokens: 16 });
  expect(String(body.messages[0]?.content)).toContain('<think> Your step-by-step reasoning </think>');
  expect(JSON.stringify(body.messages[1]?.content)).toMatch(/"image_url":\{"url":"data:image\/png;base64,/);

  // Nothing else left the machine, and the settings (key included) stay in this browser across a reload.
  const origin = new URL(page.url()).origin;
  const allowed = new Set([origin, remote.baseUrl, noCorsServer!.baseUrl]);
  expect(watch.requests.filter((url) => /^https?:/.test(url) && !allowed.has(new URL(url).origin))).toEqual([]);
  await page.reload();
  await gotoApp(page);
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(settings.getByLabel('Server address')).toHaveValue(remote.baseUrl);
  await expect(settings.getByRole('radiogroup', { name: 'Ask answered by' }).getByLabel('Remote server')).toBeChecked();
  // Kept only here: this browser's storage holds the key for the next visit.
  await expect(settings.getByLabel('API key (optional)')).toHaveValue(API_KEY);
  expect(await page.evaluate(() => Object.values({ ...localStorage }).join('\n'))).toContain(API_KEY);
});

test('Practice answered by the server: the question with its options and the region go to it, the letter is read', async ({ page, watch }) => {
  test.setTimeout(180_000);
  const remote = server!;
  const chatBodies: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/v1/chat/completions') && request.method() === 'POST') chatBodies.push(request.postData() ?? '');
  });
  await gotoApp(page);
  await expect(page.getByRole('region', { name: 'Slide information' }).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible({ timeout: 30_000 });

  await page.getByRole('tab', { name: 'Models' }).click();
  const settings = page.getByRole('tabpanel', { name: 'Models' }).getByRole('region', { name: 'Remote server' });
  await settings.getByLabel('Server address').fill(remote.baseUrl);
  await settings.getByRole('button', { name: 'Test connection' }).click();
  await expect(settings.getByRole('status')).toContainText(`Connected to ${remote.baseUrl}/v1`);
  await settings.getByRole('radiogroup', { name: 'Practice answered by' }).getByLabel('Remote server').check();

  await page.getByRole('tab', { name: 'Practice' }).click();
  const card = page.getByRole('tabpanel', { name: 'Practice' }).getByTestId('practice-question');
  await expect(card).toHaveAttribute('data-question-id', 'demo-nuclei');
  await card.getByRole('button', { name: /^A\. Cell nuclei/ }).click();
  await card.getByRole('button', { name: 'Submit answer' }).click();
  const model = card.getByTestId('practice-model-answer');
  await model.getByLabel('Longest answer (tokens)').fill('16');
  await model.getByRole('button', { name: 'Ask Patho-R1' }).click();
  await expect(model).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(model.getByTestId('practice-model-status')).toContainText(`Remote server · ${remote.model}`);
  await expect(model.getByTestId('practice-model-reply')).not.toBeEmpty();
  await expect(model.getByTestId('practice-model-choice')).toHaveAttribute('data-choice', /^([A-J]|unparsed|ambiguous)$/);

  expect(chatBodies).toHaveLength(1);
  const body = JSON.parse(chatBodies[0]!) as { model: string; stream: boolean; max_tokens: number; messages: { role: string; content: unknown }[] };
  expect(body).toMatchObject({ model: remote.model, stream: true, max_tokens: 16 });
  const user = JSON.stringify(body.messages[1]?.content);
  expect(user).toMatch(/"image_url":\{"url":"data:image\/png;base64,/);
  expect(user).toContain('A. Cell nuclei');
  const origin = new URL(page.url()).origin;
  expect(watch.requests.filter((url) => /^https?:/.test(url) && ![origin, remote.baseUrl].includes(new URL(url).origin))).toEqual([]);
  // Nothing was loaded in this browser for it: the server answered.
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByTestId('model-state-tiny/patho-r1')).not.toContainText('Loaded');
});
