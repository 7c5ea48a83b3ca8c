/**
 * `npm run kiosk`'s folder served by a plain static server (`serve`, as `npx serve dist-kiosk` runs it): with the
 * serve.json it writes, the kiosk is cross-origin isolated (multi-threaded WASM) and reads the demo slide with Range
 * requests; with no headers at all it still runs, as the README says: not isolated, one WASM thread, the demo
 * models answer, and Stop ends an answer. kiosk.json in the folder turns kiosk mode on by itself.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { info } from './viewer-helpers';

const ROOT = resolve(import.meta.dirname, '..');
const PORTS = { headers: 4181, noHeaders: 4182 } as const;

let workDir = '';
const servers: ChildProcess[] = [];

async function waitForServer(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${url} did not answer`);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  workDir = mkdtempSync(join(tmpdir(), 'patholens-kiosk-'));
  const withHeaders = join(workDir, 'dist-kiosk');
  // The test build's environment (test hook, CSP sources) is not wanted here: the kiosk as `npm run kiosk` builds it.
  const env = { ...process.env };
  delete env.VITE_PATHOLENS_TEST_HOOK;
  delete env.PATHOLENS_CONNECT_SOURCES;
  delete env.PATHOLENS_DICOMWEB_PROXY;
  execFileSync('npx', ['tsx', 'cli/build-kiosk.ts', '--out', withHeaders], { cwd: ROOT, env, stdio: 'pipe' });
  // The same folder on a server that sends no headers (serve's own defaults, only / rewritten to index.html).
  const noHeaders = join(workDir, 'dist-kiosk-no-headers');
  cpSync(withHeaders, noHeaders, { recursive: true });
  writeFileSync(join(noHeaders, 'serve.json'), JSON.stringify({ rewrites: [{ source: '/', destination: '/index.html' }] }));
  const serveBin = join(ROOT, 'node_modules', '.bin', 'serve');
  for (const [folder, port] of [
    [withHeaders, PORTS.headers],
    [noHeaders, PORTS.noHeaders],
  ] as const) {
    servers.push(spawn(serveBin, [folder, '-l', `tcp://127.0.0.1:${port}`, '--no-port-switching', '--no-clipboard'], { stdio: 'ignore' }));
    await waitForServer(`http://127.0.0.1:${port}/`);
  }
});

test.afterAll(() => {
  for (const server of servers) server.kill();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function startKiosk(page: Page, port: number): Promise<void> {
  await page.goto(`http://127.0.0.1:${port}/`);
  const attract = page.getByTestId('kiosk-attract'); // kiosk.json in the folder turned kiosk mode on
  await expect(attract).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Region from view' })).toBeEnabled({ timeout: 30_000 });
  await expect(info(page).getByRole('heading', { name: /demo-slide\.svs/ })).toBeVisible();
  await attract.getByRole('button', { name: 'Touch to start' }).click();
}

test('served with its serve.json: cross-origin isolated, multi-threaded WASM, the demo slide read in ranges', async ({ page, watch }) => {
  test.setTimeout(180_000);
  const response = await page.request.get(`http://127.0.0.1:${PORTS.headers}/demo/demo-slide.svs`, { headers: { Range: 'bytes=0-99' } });
  expect(response.status()).toBe(206);
  expect(response.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  await startKiosk(page, PORTS.headers);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByText('Cross-origin isolated', { exact: true })).toBeVisible();
  const threads = await page.evaluate(() => navigator.hardwareConcurrency);
  if (threads > 1) await expect(page.getByTestId('compute-backend')).not.toContainText('single thread');
  await expect.poll(() => page.getByTestId('model-state-tiny/patho-r1').textContent(), { timeout: 90_000 }).toMatch(/^Loaded/);
  expect(watch.pageErrors).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
});

test('served with no headers at all: not cross-origin isolated, one WASM thread, the demo model still answers and Stop ends an answer', async ({
  page,
  watch,
}) => {
  test.setTimeout(180_000);
  await startKiosk(page, PORTS.noHeaders);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByText('Not cross-origin isolated', { exact: true })).toBeVisible();
  await expect(page.getByTestId('compute-backend')).toContainText('single thread');
  await expect.poll(() => page.getByTestId('model-state-tiny/patho-r1').textContent(), { timeout: 90_000 }).toMatch(/^Loaded/);
  await page.getByRole('button', { name: 'Region from view' }).click();
  const ask = page.getByRole('tabpanel', { name: 'Ask' });
  await ask.getByLabel('Question', { exact: true }).fill('What stain is this?');
  await ask.getByText('Sampling settings').click();
  await ask.getByLabel('Max new tokens').fill('8');
  await ask.getByRole('button', { name: 'Ask Patho-R1' }).click();
  await expect(ask.getByRole('article', { name: 'Answer to: What stain is this?' })).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  // Stop works without shared memory too: the worker lets its posted stop message in between two tokens.
  await ask.getByLabel('Max new tokens').fill('4000');
  await ask.getByLabel('Question', { exact: true }).fill('Describe everything you see.');
  await ask.getByRole('button', { name: 'Ask Patho-R1' }).click();
  const long = ask.getByRole('article', { name: 'Answer to: Describe everything you see.' });
  await expect(long.getByTestId('answer-text')).not.toBeEmpty({ timeout: 120_000 });
  await ask.getByRole('button', { name: 'Stop' }).click();
  await expect(long).toHaveAttribute('data-status', 'stopped', { timeout: 15_000 });
  await expect(long.getByTestId('answer-status')).toHaveText('Stopped');
  expect(watch.pageErrors).toEqual([]);
});
