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
  // The decoder of the weights the backend prefers: int8 (_quantized) on WASM, 4-bit on WebGPU (fp32 where neither).
  expect(
    watch.requests.some((url) => /\/models\/tiny\/patho-r1\/onnx\/decoder_model_merged(_quantized|_q4|_q4f16)?\.onnx$/.test(url) && url.startsWith(origin)),
  ).toBe(true);
  if (test.info().project.name === 'wasm') {
    // Automatic takes the processor's fastest weights, says so in plain words, and shows the threads ONNX Runtime
    // really started (read back in the worker after the sessions exist): every core, up to 8, when isolated.
    const cores = await page.evaluate(() => (globalThis.crossOriginIsolated ? navigator.hardwareConcurrency : 1));
    const threads = Math.min(Math.max(cores, 1), 8);
    const label = threads === 1 ? '1 thread' : `${threads} threads`;
    await expect(page.getByTestId('load-plan-tiny/patho-r1')).toHaveText(
      `8-bit weights (q8) on this computer's processor (WASM, ${label}): the fastest kind there.`,
    );
    await expect(page.getByTestId(`model-state-${origin}/models/tiny/patho-r1/`)).toHaveText(
      `Loaded (q8, wasm): 8-bit weights (q8) on this computer's processor, ONNX Runtime runs ${label}`,
    );
    // The worker measured this computer after loading: the tab says how long a first answer should take.
    await expect(page.getByTestId(`first-token-estimate-${origin}/models/tiny/patho-r1/`)).toHaveText(
      /^A first question about a 448 x 336 px region should start answering in about [\d.]+ s on this computer \(measured after loading\)\.$/,
    );
  }
  expect(await watch.cspViolations()).toEqual([]);
});
