/**
 * The Ask flow as a pathologist uses it: open a slide, select a region, ask; Patho-R1 (the tiny demo model)
 * loads in the worker with byte progress, streams into the answer card with its stats, and a long answer can
 * be stopped and is kept, marked stopped. Ask is a conversation panel: Enter sends, an empty question is said
 * next to the field (no card), the thread follows the stream until the reader scrolls up, "New conversation"
 * starts a thread that carries nothing of the earlier one, and past conversations reopen. A review of the
 * follow-up is exported as the conversation the model was given (the first question with the image, its reply,
 * then the follow-up and the corrected target).
 */
import AxeBuilder from '@axe-core/playwright';
import { readFile } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import { expect, test } from './fixtures';
import { loadTinyModel } from './model-helpers';
import { expectSlideOpen, gotoApp, openSlideFile } from './viewer-helpers';

test('ask about a region, see the streamed answer with its stats, then stop a long one', async ({ page, watch }) => {
  test.setTimeout(240_000);
  await gotoApp(page);
  await openSlideFile(page, 'small.svs');
  await expectSlideOpen(page, 'small.svs');
  await page.getByRole('button', { name: 'Region from view' }).click();

  // Load the tiny demo model explicitly: on its own the Ask tab prefers an export in models/local when one exists.
  await loadTinyModel(page, 'patho-r1');
  // A loaded model offers Unload, not Load.
  await expect(page.getByRole('button', { name: 'Load tiny/patho-r1', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Unload tiny/patho-r1' })).toBeVisible();
  await expect(page.getByTestId('not-diagnostic')).toContainText('not for diagnostic use');
  await page.getByRole('tab', { name: 'Ask' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Ask' });
  await expect(panel).toContainText('Asking about: Region');
  await panel.getByRole('button', { name: 'Grade this tumour' }).click();
  await expect(panel.getByLabel('Question', { exact: true })).toHaveValue('Grade this tumour');
  await panel.getByText('Sampling settings').click();
  await panel.getByLabel('Max new tokens').fill('12');
  await panel.getByRole('button', { name: 'Ask Patho-R1' }).click();

  const first = panel.getByRole('article', { name: 'Answer to: Grade this tumour' });
  await expect(first).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(first).toContainText(/tokens/);
  await expect(first).toContainText(/px at/);
  const backendLabel = test.info().project.name === 'webgpu' ? 'WebGPU' : 'WASM';
  await expect(first).toContainText(backendLabel);
  const axe = await new AxeBuilder({ page }).include('#side-panel').withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);

  // The answer came from that model, which is still the loaded one.
  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByTestId('model-state-tiny/patho-r1')).toContainText('Loaded');
  await page.getByRole('tab', { name: 'Ask' }).click();

  // An empty question is said next to the field; nothing is sent, no card is added.
  const questionField = panel.getByLabel('Question', { exact: true });
  await questionField.fill('   ');
  await questionField.press('Enter');
  await expect(panel.getByTestId('question-problem')).toHaveText(/Type a question first/);
  await expect(panel.getByTestId('ask-answer')).toHaveCount(1);

  // A long answer: stop it mid-stream; what was said is kept and marked stopped.
  await panel.getByLabel('Max new tokens').fill('2000');
  await page.evaluate(() => {
    const hook = (window as unknown as { __patholens: { askStore: { getState(): { setSettings(settings: object): void } } } }).__patholens;
    hook.askStore.getState().setSettings({ minNewTokens: 2000 });
  });
  // Shift+Enter is a new line; Enter sends.
  await questionField.fill('Describe the histological');
  await questionField.press('Shift+Enter');
  await questionField.pressSequentially('features');
  await expect(questionField).toHaveValue('Describe the histological\nfeatures');
  await questionField.fill('Describe the histological features');
  await questionField.press('Enter');
  const second = panel.getByRole('article', { name: 'Answer to: Describe the histological features' });
  await expect(second).toHaveAttribute('data-status', 'streaming', { timeout: 60_000 });
  await expect(second.getByTestId('answer-status')).toHaveText(/(Reading the image|Thinking|Answering)… · /);
  await expect(second.getByTestId('answer-text')).not.toBeEmpty({ timeout: 60_000 });
  // The thread follows the stream while the reader is at the bottom, and stays put once they scroll up.
  // (On the WebGPU project the software GPU streams too slowly to fill the thread; the behaviour is the panel's, checked on WASM.)
  if (test.info().project.name === 'wasm') {
    const thread = panel.getByTestId('ask-thread');
    const metrics = () => thread.evaluate((element) => ({ top: element.scrollTop, height: element.scrollHeight, client: element.clientHeight }));
    await expect
      .poll(
        async () => {
          const m = await metrics();
          return m.height - m.client;
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThan(60);
    await expect
      .poll(async () => {
        const m = await metrics();
        return m.height - m.top - m.client;
      })
      .toBeLessThan(30);
    await thread.evaluate((element) => element.scrollTo({ top: 0 }));
    const heightWhenScrolled = (await metrics()).height;
    await expect.poll(async () => (await metrics()).height, { timeout: 60_000 }).toBeGreaterThan(heightWhenScrolled + 20);
    expect((await metrics()).top).toBe(0);
  }
  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(second).toHaveAttribute('data-status', 'stopped');
  await expect(second.getByTestId('answer-status')).toHaveText('Stopped');
  await expect(second.getByTestId('answer-text')).not.toBeEmpty();
  // The follow-up on the same region continued from the first answer's KV cache (no re-encoding).
  await expect(second).toContainText(/\d+ prompt tokens from the previous turn's cache/);
  // The first answer and the slide are still there.
  await expect(first).toHaveAttribute('data-status', 'done');
  await expectSlideOpen(page, 'small.svs');

  // A new conversation on the same region: nothing of the earlier answers reaches its prompt (no cached turn).
  await panel.getByRole('button', { name: 'New conversation' }).click();
  await expect(panel.getByTestId('ask-answer')).toHaveCount(0);
  await panel.getByLabel('Max new tokens').fill('12');
  await page.evaluate(() => {
    const hook = (window as unknown as { __patholens: { askStore: { getState(): { setSettings(settings: object): void } } } }).__patholens;
    hook.askStore.getState().setSettings({ minNewTokens: 0 });
  });
  await panel.getByLabel('Answer options (one per line, optional)').fill('Benign\nMalignant');
  await questionField.fill('Is this benign or malignant?');
  await questionField.press('Enter');
  const mcq = panel.getByRole('article', { name: 'Answer to: Is this benign or malignant?' });
  await expect(mcq).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(mcq).not.toContainText("from the previous turn's cache");
  await expect(panel.getByTestId('ask-answer')).toHaveCount(1);
  // The earlier conversation is listed and reopens with both its answers.
  await panel.getByText('Conversations on this slide (2)').click();
  await panel
    .getByTestId('past-conversations')
    .getByRole('button', { name: /^Grade this tumour/ })
    .click();
  await expect(panel.getByTestId('ask-answer')).toHaveCount(2);
  await expect(first).toHaveAttribute('data-status', 'done');

  // The follow-up reviewed and corrected: the export is the conversation up to it, the correction its target.
  await second.getByText('Review this answer').click();
  await second.getByRole('button', { name: 'Incorrect', exact: true }).click();
  await second.getByTestId('feedback-panel').getByRole('textbox', { name: 'Reasoning' }).fill('Sheets of atypical cells with mitoses.');
  await second.getByTestId('feedback-panel').getByRole('textbox', { name: 'Answer' }).fill('Poorly differentiated carcinoma.');
  await second.getByRole('button', { name: 'Save correction' }).click();
  await expect(second.getByTestId('feedback-panel')).toContainText('Saved: marked incorrect, with your correction.');
  const firstReply = await page.evaluate(() => {
    const hook = (window as unknown as { __patholens: { askStore: { getState(): { answers: { question: string; reply: string }[] } } } }).__patholens;
    return hook.askStore.getState().answers.find((answer) => answer.question === 'Grade this tumour')!.reply;
  });
  await page.getByRole('tab', { name: 'Models' }).click();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export feedback as training data' }).click();
  const zipPath = await (await download).path();
  const zip = unzipSync(new Uint8Array(await readFile(zipPath!)));
  const [line] = strFromU8(zip['patholens-feedback/sft-messages.jsonl']!)
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text));
  const messages = line.messages as Array<{ role: string; content: Array<{ type: string; text?: string; image?: string }> }>;
  expect(messages.map((message) => [message.role, message.content.map((part) => part.type).join('+')])).toEqual([
    ['system', 'text'],
    ['user', 'image+text'],
    ['assistant', 'text'],
    ['user', 'text'],
    ['assistant', 'text'],
  ]);
  expect(messages[1]!.content[1]!.text).toBe('Grade this tumour');
  expect(messages[2]!.content[0]!.text).toBe(firstReply);
  expect(messages[3]!.content[0]!.text).toBe('Describe the histological features');
  expect(messages[4]!.content[0]!.text).toBe('<think>Sheets of atypical cells with mitoses.</think><answer>Poorly differentiated carcinoma.</answer>');
  expect(line.images).toHaveLength(1);
  expect(zip[`patholens-feedback/${line.images[0]}`]?.length).toBeGreaterThan(100);
  const [rl] = strFromU8(zip['patholens-feedback/rl.jsonl']!)
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text));
  expect([rl.problem, rl.turns, rl.answer]).toEqual(['Describe the histological features', 2, 'Poorly differentiated carcinoma.']);

  // Unload frees the model; the next question would load it again.
  await page.getByRole('button', { name: 'Unload tiny/patho-r1' }).click();
  await expect(page.getByTestId('model-state-tiny/patho-r1')).toHaveText('Not loaded');
  await expect(page.getByRole('button', { name: 'Load tiny/patho-r1', exact: true })).toBeEnabled();
  await page.getByRole('tab', { name: 'Ask' }).click();
  await expect(panel).toContainText('loads on the first question');

  // After a reload and reopening the slide, the region's answers are back (saved with the slide's session).
  await page.reload();
  await gotoApp(page);
  await openSlideFile(page, 'small.svs');
  await expectSlideOpen(page, 'small.svs');
  await page.getByTestId('roi-item').first().getByRole('button', { name: /^Show/ }).click();
  await page.getByRole('tab', { name: 'Ask' }).click();
  // The region shows its newest conversation; the older one is a click away in the list.
  await expect(panel.getByRole('article', { name: 'Answer to: Is this benign or malignant?' })).toHaveAttribute('data-status', 'done');
  await panel.getByText('Conversations on this slide (2)').click();
  await panel
    .getByTestId('past-conversations')
    .getByRole('button', { name: /^Grade this tumour/ })
    .click();
  await expect(panel.getByRole('article', { name: 'Answer to: Grade this tumour' })).toHaveAttribute('data-status', 'done');
  await expect(panel.getByRole('article', { name: 'Answer to: Describe the histological features' })).toHaveAttribute('data-status', 'stopped');

  const origin = new URL(page.url()).origin;
  expect(watch.requests.filter((url) => /^https?:/.test(url) && new URL(url).origin !== origin)).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
});
