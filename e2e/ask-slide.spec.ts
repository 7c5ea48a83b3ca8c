/**
 * "Ask the slide" as a pathologist uses it, on the demo slide with the tiny models: the slide is indexed with
 * PathoCLIP on the first question (progress in the Ask tab), the regions Patho-R1 saw are outlined on the slide and
 * listed with their numbers, each flies there, the answer streams; a follow-up drops a region and asks again; a
 * small token budget shows fewer regions and says so; after a reload the answers and their regions are back.
 * A pathologist reviews a slide answer: the training-data export and the session file keep one image per region,
 * in the order the model saw them.
 */
import AxeBuilder from '@axe-core/playwright';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Download } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { expect, test } from './fixtures';
import { loadTinyModel } from './model-helpers';
import { gotoApp, info } from './viewer-helpers';

const DEMO = resolve(import.meta.dirname, '../public/demo/demo-slide.svs');

async function unzipDownload(download: Download): Promise<Record<string, Uint8Array>> {
  const path = await download.path();
  if (!path) throw new Error('The download has no file.');
  return unzipSync(new Uint8Array(await readFile(path)));
}

const isPng = (bytes: Uint8Array | undefined) => !!bytes && [137, 80, 78, 71, 13, 10, 26, 10].every((byte, index) => bytes[index] === byte);

test('ask the demo slide: regions found, outlined, listed and flown to; streamed answer; follow-up with a region removed; small budget', async ({
  page,
  watch,
}) => {
  test.setTimeout(300_000);
  expect(existsSync(DEMO), 'public/demo/demo-slide.svs is missing: run npm run make-demo-slide').toBe(true);
  await gotoApp(page);
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible({ timeout: 30_000 });

  await loadTinyModel(page, 'patho-r1');
  await loadTinyModel(page, 'pathoclip', { timeout: 60_000 });
  const models = page.getByRole('tabpanel', { name: 'Models' });

  // Index at 5x (4,096 grid tiles on the demo slide) so that indexing fits in the test's time on two cores.
  await page.getByRole('tab', { name: 'Search' }).click();
  await page.getByRole('tabpanel', { name: 'Search' }).getByLabel('Magnification').selectOption('5');

  await page.getByRole('tab', { name: 'Ask' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Ask' });
  await panel.getByText('Sampling settings').click();
  await panel.getByLabel('Max new tokens').fill('12');
  await panel.getByRole('radio', { name: 'Ask the slide' }).check();
  await expect(panel.getByTestId('ask-index-status')).toContainText('indexed with PathoCLIP on the first question');
  await panel.getByLabel('Question about the slide').fill('Is there necrosis on this slide?');
  await panel.getByLabel(/^Answer options/).fill('Necrosis\nCarcinoma');
  await panel.getByRole('button', { name: 'Ask the slide' }).click();

  // No index yet: it is built first, with its progress in the Ask tab.
  await expect(panel.getByTestId('ask-index-progress')).toContainText(/tiles/, { timeout: 60_000 });
  const first = panel.getByRole('article', { name: 'Slide answer to: Is there necrosis on this slide?' });
  await expect(first).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(panel.getByTestId('ask-index-status')).toContainText(/PathoCLIP index ready: [\d,]+ tissue tiles at 5x/);
  await expect(first.getByTestId('slide-answer-text')).not.toBeEmpty();
  await expect(first).toContainText(/\d+ prompt, 12 new tokens/);

  // The regions, listed and numbered as the model saw them, and the same numbers outlined on the slide.
  const listed = first.getByRole('list', { name: 'Regions Patho-R1 saw' }).getByRole('button');
  const count = await listed.count();
  expect(count).toBeGreaterThanOrEqual(2);
  for (let k = 0; k < count; k++)
    await expect(listed.nth(k)).toContainText(
      new RegExp(`^Region ${k + 1} · \\d+ x \\d+ px at [\\d.]+x · \\d+ tokens · PathoCLIP: “(Is there necrosis on this slide\\?|Necrosis|Carcinoma)”`),
    );
  const outlines = page.getByTestId('region-outlines').locator('g[data-region-label]');
  await expect(outlines).toHaveCount(count);
  expect(await outlines.evaluateAll((groups) => groups.map((group) => group.getAttribute('data-region-label')))).toEqual(
    Array.from({ length: count }, (_, k) => String(k + 1)),
  );

  // Region 2 flies there: its outline then fills much of the viewer.
  const viewer = await page.getByTestId('region-outlines').boundingBox();
  await listed.nth(1).click();
  await expect
    .poll(
      async () => {
        const box = await page.locator('g[data-region-label="2"] rect').boundingBox();
        return box && viewer ? Math.max(box.width / viewer.width, box.height / viewer.height) : 0;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0.5);

  // A pathologist reviews the slide answer and corrects it: the review keeps every region Patho-R1 saw.
  await first.getByText('Review this answer').click();
  await first.getByRole('button', { name: 'Incorrect', exact: true }).click();
  await first.getByTestId('feedback-panel').getByRole('textbox', { name: 'Reasoning' }).fill('Coagulative necrosis in the regions shown.');
  await first.getByTestId('feedback-panel').getByRole('textbox', { name: 'Answer' }).fill('A');
  await first.getByRole('button', { name: 'Save correction' }).click();
  await expect(first.getByTestId('feedback-panel')).toContainText('Saved: marked incorrect, with your correction.');

  const axe = await new AxeBuilder({ page }).include('#side-panel').withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);

  // The training-data export: one SFT line whose user turn is "Region 1: <image>", "Region 2: <image>"… (one image
  // part per region, in prompt order, each file a PNG beside it); the RL line has the corrected ground truth.
  await page.getByRole('tab', { name: 'Models' }).click();
  const feedbackDownload = page.waitForEvent('download');
  await models.getByRole('button', { name: 'Export feedback as training data' }).click();
  const feedback = await unzipDownload(await feedbackDownload);
  await expect(models).toContainText('Exported 1 piece of feedback.');
  const file = (name: string) => feedback[`patholens-feedback/${name}`];
  const [line] = strFromU8(file('sft-messages.jsonl')!)
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text));
  const user = line.messages[1].content as Array<{ type: string; text?: string; image?: string }>;
  expect(user.filter((part) => part.type === 'image')).toHaveLength(count);
  expect(line.images).toHaveLength(count);
  expect(new Set(line.images).size).toBe(count);
  for (const name of line.images) expect(isPng(file(name)), name).toBe(true);
  let region = 0;
  for (const [index, part] of user.entries()) {
    if (part.type !== 'image') continue;
    expect(part.image).toBe(line.images[region]);
    expect(user[index - 1]!.text).toBe(`${region === 0 ? '' : '\n'}Region ${region + 1}: `);
    region += 1;
  }
  expect(line.messages.at(-1).content[0].text).toBe('<think>Coagulative necrosis in the regions shown.</think><answer>A</answer>');
  const [rl] = strFromU8(file('rl.jsonl')!)
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text));
  expect([rl.answer, rl.answer_index, rl.images]).toEqual(['Necrosis', 0, line.images]);
  // The session file carries the review with its region images.
  const sessionDownload = page.waitForEvent('download');
  await page.locator('#slide-details').getByRole('button', { name: 'Export session' }).click();
  const session = await unzipDownload(await sessionDownload);
  const [review] = JSON.parse(strFromU8(session['session.json']!)).feedback;
  expect([review.source, 1 + review.moreImages.length]).toEqual(['ask-slide', count]);
  for (const name of [review.image, ...review.moreImages]) expect(isPng(session[name]), name).toBe(true);
  await page.getByRole('tab', { name: 'Ask' }).click();

  // Follow-up: drop region 1 and ask again about the rest (no new search: the list is the user's).
  const followUp = panel.getByRole('region', { name: 'Regions for a follow-up' });
  await expect(followUp.getByRole('listitem')).toHaveCount(count);
  await followUp.getByRole('button', { name: 'Remove region 1' }).click();
  await expect(followUp.getByRole('listitem')).toHaveCount(count - 1);
  await panel.getByLabel('Question about the slide').fill('And in these regions?');
  await followUp.getByRole('button', { name: 'Ask again with these regions' }).click();
  const second = panel.getByRole('article', { name: 'Slide answer to: And in these regions?' });
  await expect(second).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(second.getByRole('list', { name: 'Regions Patho-R1 saw' }).getByRole('button')).toHaveCount(count - 1);
  await expect(outlines).toHaveCount(count - 1);

  // A budget too small for every region: fewer regions, and a sentence that says so.
  await panel.getByLabel(/^Token budget/).fill('260');
  await panel.getByLabel('Question about the slide').fill('Is there carcinoma?');
  await panel.getByRole('button', { name: 'Ask the slide' }).click();
  const third = panel.getByRole('article', { name: 'Slide answer to: Is there carcinoma?' });
  await expect(third).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(third.getByTestId('budget-note')).toContainText(/do not fit in 260 tokens at 20x, so Patho-R1 sees/);
  const shownNow = await third.getByRole('list', { name: 'Regions Patho-R1 saw' }).getByRole('button').count();
  await expect(outlines).toHaveCount(shownNow);

  // Back to asking about one region: the outlines leave the slide.
  await panel.getByRole('radio', { name: 'A region' }).check();
  await expect(page.getByTestId('region-outlines')).toHaveCount(0);

  // After a reload the slide's answers come back with their regions (saved with the slide), ready for a follow-up.
  await page.reload();
  await gotoApp(page);
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Ask' }).click();
  await panel.getByRole('radio', { name: 'Ask the slide' }).check();
  await expect(first).toHaveAttribute('data-status', 'done');
  await expect(first.getByRole('list', { name: 'Regions Patho-R1 saw' }).getByRole('button')).toHaveCount(count);
  await first.getByText('Review this answer').click();
  await expect(first.getByTestId('feedback-panel')).toContainText('Saved: marked incorrect, with your correction.');
  await expect(third).toHaveAttribute('data-status', 'done');
  await expect(panel.getByRole('region', { name: 'Regions for a follow-up' }).getByRole('listitem')).toHaveCount(shownNow);

  const origin = new URL(page.url()).origin;
  expect(watch.requests.filter((url) => /^https?:/.test(url) && new URL(url).origin !== origin)).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
});
