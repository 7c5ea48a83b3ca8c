import AxeBuilder from '@axe-core/playwright';
import { DEV_PORT, PREVIEW_PORT, REMOTE_SERVER_TEST_PORTS } from '../playwright.config';
import { expect, realBackend, test } from './fixtures';

test.describe('app shell', () => {
  test('status bar names the compute backend the browser really gives', async ({ page, watch }, testInfo) => {
    await page.goto('/');
    const status = page.getByTestId('compute-backend');
    await expect(status).not.toHaveAttribute('data-backend', 'detecting');

    const real = await realBackend(page);
    // Each project exists to exercise one path; a silent fallback would make it test the other one.
    expect(real.kind).toBe(testInfo.project.metadata.expectedBackend);
    if (real.kind === 'webgpu') {
      // The webgpu project's adapter is SwiftShader, a software GPU: Automatic takes WASM and says why.
      await expect(status).toHaveAttribute('data-backend', 'wasm');
      await expect(status).toContainText('The only GPU here is a software one');
      if (real.description) await expect(status).toContainText(real.description);
      // The Models tab still offers it, marked slow (this project's user chose it).
      await page.getByRole('tab', { name: 'Models' }).click();
      await expect(page.getByLabel('Backend')).toHaveValue('webgpu');
      await expect(page.getByLabel('Backend').locator('option[value="webgpu"]')).toHaveText('WebGPU (software GPU: slow)');
    } else {
      await expect(status).toHaveAttribute('data-backend', real.kind);
      await expect(status).toContainText('WASM');
      await expect(status).toContainText(/WebGPU|navigator\.gpu/);
    }
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect(status).toContainText(/threads|WebGPU|thread/);
    expect(watch.pageErrors).toEqual([]);
  });

  test('no request leaves the page origin and the CSP is never violated', async ({ page, watch }) => {
    await page.goto('/');
    await expect(page.getByTestId('compute-backend')).not.toHaveAttribute('data-backend', 'detecting');
    for (const tab of ['Classify', 'Search', 'Practice', 'Models', 'Ask']) {
      await page.getByRole('tab', { name: tab }).click();
    }
    await page.waitForLoadState('networkidle');
    const origin = `http://127.0.0.1:${PREVIEW_PORT}`;
    expect(watch.requests.length).toBeGreaterThan(0);
    const foreign = watch.requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
    expect(foreign).toEqual([]);
    expect(await watch.cspViolations()).toEqual([]);
  });

  test('layout: viewer, five tool tabs reachable by keyboard, status bar', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('main', { name: 'Slide viewer' })).toBeVisible();
    await expect(page.getByRole('status', { name: 'Status bar' })).toBeVisible();
    const tabs = page.getByRole('tab');
    await expect(tabs).toHaveText(['Ask', 'Classify', 'Search', 'Practice', 'Models']);

    // The viewer takes most of the screen; the side panel sits beside it.
    const viewer = await page.getByRole('main', { name: 'Slide viewer' }).boundingBox();
    const panel = await page.getByRole('complementary', { name: 'Tools' }).boundingBox();
    const viewport = page.viewportSize();
    expect(viewer && panel && viewport).toBeTruthy();
    expect(viewer!.width).toBeGreaterThan(viewport!.width / 2);
    expect(panel!.x).toBeGreaterThanOrEqual(viewer!.x + viewer!.width - 1);

    // Keyboard only: Tab reaches the selected tab, arrows move between tabs, Home/End jump.
    await page.getByRole('tab', { name: 'Ask' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: 'Classify' })).toBeFocused();
    await expect(page.getByRole('tab', { name: 'Classify' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('tabpanel', { name: 'Classify' })).toContainText('Label set'); // available: the demo slide is open at start
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tabpanel', { name: 'Practice' }).getByRole('button', { name: 'Practise', exact: true })).toBeVisible(); // the Practice panel (issue 11)
    await page.keyboard.press('End');
    await expect(page.getByRole('tab', { name: 'Models' })).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: 'Ask' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('tabpanel', { name: 'Ask' })).toBeVisible();
    await expect(page.getByRole('tabpanel', { name: 'Classify' })).toBeHidden();
  });

  test('no accessibility violations (axe-core, WCAG 2 A/AA)', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('compute-backend')).not.toHaveAttribute('data-backend', 'detecting');
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(results.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
  });

  test('an uncaught failure becomes a dismissable sentence and the shell keeps working', async ({ page }) => {
    await page.goto('/');
    await page.evaluate(() => {
      window.dispatchEvent(new ErrorEvent('error', { error: new Error('tile decoder crashed'), message: 'tile decoder crashed' }));
    });
    const banner = page.getByRole('alert', { name: 'Errors' });
    await expect(banner).toContainText('Something in PathoLens failed: tile decoder crashed.');
    await expect(page.getByRole('main', { name: 'Slide viewer' })).toBeVisible();
    await page.getByRole('tab', { name: 'Search' }).click();
    await expect(page.getByRole('tabpanel', { name: 'Search' })).toBeVisible();
    await page.getByRole('button', { name: /Dismiss error/ }).click();
    await expect(page.getByText('tile decoder crashed')).toHaveCount(0);

    // A failure in a loop is one line with its count; several failures go with one click.
    await page.evaluate(() => {
      for (const message of ['tile decoder crashed', 'tile decoder crashed', 'tile decoder crashed', 'worker lost']) {
        window.dispatchEvent(new ErrorEvent('error', { error: new Error(message), message }));
      }
    });
    await expect(banner.getByText('tile decoder crashed')).toHaveCount(1);
    await expect(banner).toContainText('(3 times)');
    await banner.getByRole('button', { name: 'Dismiss all 2 errors' }).click();
    await expect(page.getByText(/tile decoder crashed|worker lost/)).toHaveCount(0);
  });
});

test.describe('servers', () => {
  for (const [server, port] of [
    ['preview', PREVIEW_PORT],
    ['dev', DEV_PORT],
  ] as const) {
    test(`${server} server sends cross-origin isolation and a CSP with no third-party origin`, async ({ request }) => {
      const response = await request.get(`http://127.0.0.1:${port}/`);
      expect(response.ok()).toBe(true);
      const headers = response.headers();
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
      const csp = headers['content-security-policy'] ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      // Only keywords, 'self', nonces and local schemes, plus exactly the origins the person running the server
      // named in PATHOLENS_CONNECT_SOURCES (here the loopback test servers of the remote-server spec), in connect-src.
      const named = Object.values(REMOTE_SERVER_TEST_PORTS).map((testPort) => `http://127.0.0.1:${testPort}`);
      expect(csp.match(/https?:\/\/[^\s;]+|\*/g) ?? []).toEqual(named);
      expect(/connect-src ([^;]*)/.exec(csp)?.[1]).toContain(named.join(' '));
    });
  }

  test('dev server page runs under its strict policy', async ({ page, watch }) => {
    await page.goto(`http://127.0.0.1:${DEV_PORT}/`);
    await expect(page.getByRole('tab', { name: 'Ask' })).toBeVisible();
    expect(await watch.cspViolations()).toEqual([]);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  });
});
