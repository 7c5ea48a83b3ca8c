/**
 * The trainee's path through the Practice tab on the demo slide: a demo question moves the viewer to its region and
 * is answered with the keyboard (right answer and explanation shown), Patho-R1 (the tiny demo model) is asked the
 * same question and its letter is read from its reply, a short exam is taken (an answer changed before submitting)
 * and scored with a review, and after a reload the history and progress are still there; the progress file
 * exports, imports (nothing added twice) and a bad one is refused with a sentence.
 */
import { existsSync, readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { loadTinyModel } from './model-helpers';
import { expectTilesDrawn, gotoApp, info } from './viewer-helpers';
import { readModelChoice } from '../src/features/practice/model-question';
import { DEMO_BANK } from '../src/features/practice/demo-bank';

const DEMO = 'public/demo/demo-slide.svs';

async function magnification(page: Page): Promise<number> {
  return Number.parseFloat((await page.getByTestId('magnification').textContent()) ?? '');
}

async function expectNoAxeViolations(page: Page): Promise<void> {
  const axe = await new AxeBuilder({ page }).include('#side-panel').withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

test('practise a demo question by keyboard, ask Patho-R1, take an exam, reload and find the history', async ({ page, watch }) => {
  test.setTimeout(300_000);
  expect(existsSync(DEMO), 'public/demo/demo-slide.svs is missing: run npm run make-demo-slide').toBe(true);
  await gotoApp(page);
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible({ timeout: 30_000 });
  await expectTilesDrawn(page);
  const wholeSlide = await magnification(page);

  // Practise: the first demo question, on the demo slide; the viewer goes to its region.
  await page.getByRole('tab', { name: 'Practice' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Practice' });
  const card = panel.getByTestId('practice-question');
  await expect(card).toHaveAttribute('data-question-id', 'demo-nuclei');
  await expect(card.getByRole('heading')).toHaveText(DEMO_BANK.questions[0]!.stem);
  await expect(panel.getByTestId('practice-queue-summary')).toHaveText('0 due for review, 3 new.');
  await expect.poll(() => magnification(page), { timeout: 10_000 }).toBeGreaterThan(wholeSlide * 4);
  await expect(card.getByTestId('practice-image-note')).toContainText('region shown in the viewer');

  // Keyboard: 3 chooses C, then A (letter key) changes it; Enter submits.
  await card.getByRole('heading').click();
  await page.keyboard.press('3');
  await expect(card.getByRole('button', { name: /^C\. Air bubbles/ })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('a');
  await expect(card.getByRole('button', { name: /^A\. Cell nuclei/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(card.getByRole('button', { name: /^C\. Air bubbles/ })).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('Enter');
  await expect(card.getByTestId('practice-result')).toHaveText('Right. The answer is A. Cell nuclei stained by haematoxylin.');
  await expect(card.getByTestId('practice-explanation')).toHaveText(DEMO_BANK.questions[0]!.explanation);
  await expectNoAxeViolations(page);

  // Ask Patho-R1: the tiny demo model (loaded explicitly: on its own the app prefers an export in models/local).
  await loadTinyModel(page, 'patho-r1');
  await page.getByRole('tab', { name: 'Practice' }).click();
  const model = card.getByTestId('practice-model-answer');
  await model.getByLabel('Longest answer (tokens)').fill('24');
  await model.getByRole('button', { name: 'Ask Patho-R1' }).click();
  await expect(model).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(model.getByTestId('practice-model-status')).toContainText(test.info().project.name === 'webgpu' ? 'WebGPU' : 'WASM');
  // The choice shown is extractMcqChoice's reading of the full reply (a random tiny model may name no option).
  const reply = (await model.getByTestId('practice-model-reply').textContent()) ?? '';
  expect(reply.length).toBeGreaterThan(0);
  const expected = readModelChoice(reply, DEMO_BANK.questions[0]!);
  const choice = model.getByTestId('practice-model-choice');
  await expect(choice).toHaveText(expected.sentence);
  await expect(choice).toHaveAttribute('data-choice', expected.extraction.status === 'chosen' ? expected.extraction.letter : expected.extraction.status);
  // The pathologist can review the model's answer as the Ask answers are reviewed.
  await model.getByText('Review this answer').click();
  await model.getByRole('button', { name: 'Correct', exact: true }).click();
  await expect(model.getByTestId('feedback-panel')).toContainText('Saved: marked correct.');

  // N goes on; a wrong answer shows the right one.
  await card.getByRole('heading').click();
  await page.keyboard.press('n');
  await expect(card).toHaveAttribute('data-question-id', 'demo-stroma');
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  await expect(card.getByTestId('practice-result')).toHaveText('Not right. The answer is A. Eosin staining cytoplasm and extracellular fibres.');

  // Exam: the two 'stains' questions; the first answer is changed before submitting (to a wrong one).
  await panel.getByRole('button', { name: 'Exam', exact: true }).click();
  await panel.getByRole('checkbox', { name: 'stains' }).check();
  await panel.getByLabel('Questions').fill('2');
  await panel.getByRole('button', { name: 'Start exam' }).click();
  const exam = panel.getByTestId('exam-running');
  await expect(exam).toContainText('Question 1 of 2');
  await expect(panel.getByTestId('exam-time-left')).toHaveText(/^(10:00|09:5\d)$/);
  const examQuestion = exam.getByTestId('exam-question');
  await examQuestion.getByRole('button', { name: /^A\./ }).click();
  await examQuestion.getByRole('button', { name: /^B\./ }).click();
  await expect(examQuestion.getByRole('button', { name: /^B\./ })).toHaveAttribute('aria-pressed', 'true');
  await expect(examQuestion.getByRole('button', { name: /^A\./ })).toHaveAttribute('aria-pressed', 'false');
  // No hints while the exam runs.
  await expect(exam).not.toContainText('The answer is');
  await exam.getByRole('button', { name: 'Next', exact: true }).click();
  await expect(exam).toContainText('Question 2 of 2 · 1 answered');
  await examQuestion.getByRole('button', { name: /^A\./ }).click();
  await exam.getByRole('button', { name: 'Submit exam' }).click();
  await expect(panel.getByTestId('exam-score')).toHaveText('Score: 1 of 2 (50%).');
  const review = panel.getByTestId('exam-review-item');
  await expect(review).toHaveCount(2);
  await expect(review.nth(0)).toHaveAttribute('data-correct', 'false');
  await expect(review.nth(0)).toContainText('your answer B.');
  await expect(review.nth(1)).toHaveAttribute('data-correct', 'true');
  await expectNoAxeViolations(page);

  // Progress: 2 practice answers and 2 exam answers, per tag and per day, with tables for screen readers.
  await panel.getByRole('button', { name: 'Progress', exact: true }).click();
  const summary = panel.getByTestId('progress-summary');
  await expect(summary).toContainText('4 answers, 2 right (50%).');
  await expect(panel.getByTestId('progress-by-tag').getByRole('table')).toContainText('stains');
  await expect(panel.getByTestId('progress-by-day').getByRole('row')).toHaveCount(2);
  await expectNoAxeViolations(page);

  // Reload: the history is still there.
  await page.reload();
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Practice' }).click();
  await panel.getByRole('button', { name: 'Progress', exact: true }).click();
  await expect(summary).toContainText('4 answers, 2 right (50%).');
  await expect(panel.getByTestId('progress-by-tag').getByRole('table')).toContainText('demo');
  await panel.getByRole('button', { name: 'Practise', exact: true }).click();
  // The answered questions wait for their review; the third demo question is new.
  await expect(panel.getByTestId('practice-queue-summary')).toContainText('1 new.');

  // Export the progress file; importing it back adds nothing twice; a wrong file is a sentence.
  await panel.getByRole('button', { name: 'Progress', exact: true }).click();
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export progress' }).click();
  const file = await (await download).path();
  const progress = JSON.parse(readFileSync(file, 'utf8')) as { format: string; attempts: { mode: string }[] };
  expect(progress.format).toBe('patholens-practice-progress');
  expect(progress.attempts.map((a) => a.mode).sort()).toEqual(['exam', 'exam', 'practice', 'practice']);
  const importInput = panel.getByLabel('Import progress');
  await importInput.setInputFiles({ name: 'progress.json', mimeType: 'application/json', buffer: readFileSync(file) });
  await expect(panel.getByRole('status').filter({ hasText: 'Imported progress.json' })).toHaveText(
    'Imported progress.json: 0 new answers added; nothing here was lost.',
  );
  await importInput.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await expect(panel.getByRole('alert')).toContainText('notes.json was not imported: This is not a PathoLens progress file');
  await expect(summary).toContainText('4 answers');
  // The slide stayed open throughout.
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible();

  expect(watch.pageErrors).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
});
