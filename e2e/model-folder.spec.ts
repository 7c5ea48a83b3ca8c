/**
 * Loading Patho-R1 from a folder the user picks on their disk: read locally, verified against manifest.json,
 * loaded in the worker; a folder that is not an export gets a sentence.
 */
import path from 'node:path';
import { expect, test } from './fixtures';

test('a picked model folder is verified and loaded; a wrong folder is refused with a sentence', async ({ page, watch }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await page.getByRole('tab', { name: 'Models' }).click();
  const picker = page.getByLabel('Load Patho-R1 from a folder on this computer');

  await picker.setInputFiles(path.resolve('models/tiny/patho-r1/onnx'));
  await expect(page.getByRole('alert').filter({ hasText: 'has no manifest.json at its top' })).toBeVisible();

  await picker.setInputFiles(path.resolve('models/tiny/patho-r1'));
  await expect(page.getByTestId('model-state-user/patho-r1')).toContainText('Loaded', { timeout: 90_000 });
  // The files were read from disk, not requested from the server.
  expect(watch.requests.filter((url) => url.includes('/user-models/') || url.includes('/models/tiny/patho-r1/onnx/'))).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
});

test('a model folder given by URL is verified, cached and loaded; a wrong address gets a sentence', async ({ page, watch }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await page.getByRole('tab', { name: 'Models' }).click();
  const field = page.getByLabel('Load Patho-R1 from a URL');
  const origin = new URL(page.url()).origin;

  await field.fill(`${origin}/models/tiny/no-such-model/`);
  await page.getByRole('button', { name: 'Load from URL' }).click();
  await expect(page.getByRole('alert').filter({ hasText: `No PathoLens model folder at ${origin}/models/tiny/no-such-model/` })).toBeVisible();

  await field.fill(`${origin}/models/tiny/patho-r1`);
  await page.getByRole('button', { name: 'Load from URL' }).click();
  await expect(page.getByTestId(`model-state-${origin}/models/tiny/patho-r1/`)).toContainText('Loaded', { timeout: 90_000 });
  expect(
    watch.requests.some(
      (url) =>
        url === `${origin}/models/tiny/patho-r1/onnx/decoder_model_merged_q4.onnx` || url === `${origin}/models/tiny/patho-r1/onnx/decoder_model_merged.onnx`,
    ),
  ).toBe(true);
  expect(await watch.cspViolations()).toEqual([]);
});
