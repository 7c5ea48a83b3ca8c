/** e2e steps shared by the specs that need a demo model. */
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/**
 * Loads a demo model from the Models tab and waits until it is loaded. Explicitly the tiny one: on its own the app
 * prefers an export in models/local when one exists. Leaves the Models tab open.
 */
export async function loadTinyModel(page: Page, model: 'patho-r1' | 'pathoclip', { timeout = 90_000 } = {}): Promise<void> {
  await page.getByRole('tab', { name: 'Models' }).click();
  await page.getByRole('button', { name: `Load tiny/${model}`, exact: true }).click();
  await expect(page.getByTestId(`model-state-tiny/${model}`)).toContainText('Loaded', { timeout });
}
