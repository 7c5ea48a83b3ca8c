import { test as base, expect, type Page } from '@playwright/test';

export interface PageWatch {
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Content-Security-Policy violations the page reported. */
  cspViolations(): Promise<string[]>;
  /** Uncaught page errors (would otherwise only reach the console). */
  pageErrors: string[];
}

/** A page that records its requests, CSP violations and uncaught errors, so every test can assert on them. */
export const test = base.extend<{ watch: PageWatch }>({
  watch: async ({ page }, use) => {
    const requests: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.addInitScript(() => {
      const violations: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = violations;
      document.addEventListener('securitypolicyviolation', (event) => {
        violations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });
    await use({
      requests,
      pageErrors,
      cspViolations: () => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations),
    });
  },
});

/** What WebGPU really gives this browser, asked the same way the app asks. */
export async function realBackend(page: Page): Promise<{ kind: 'webgpu' | 'wasm'; description: string }> {
  return page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    if (!adapter) return { kind: 'wasm' as const, description: '' };
    const info = adapter.info ?? {};
    return { kind: 'webgpu' as const, description: info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') };
  });
}

export { expect };
