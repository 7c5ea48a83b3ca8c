/**
 * The test hook (`window.__patholens`: slide readers, model clients, the Ask store) exists only in builds made
 * for tests: a production build of the app must not carry it, a test build must.
 */
import path from 'node:path';
import { build, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** The app's JavaScript as `vite build` makes it (in memory), with the environment given. */
async function builtScripts(testHook: boolean): Promise<string> {
  const previous = process.env.VITE_PATHOLENS_TEST_HOOK;
  if (testHook) process.env.VITE_PATHOLENS_TEST_HOOK = 'true';
  else delete process.env.VITE_PATHOLENS_TEST_HOOK;
  try {
    const output = (await build({ root, logLevel: 'silent', publicDir: false, build: { write: false, minify: false } })) as
      Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((result) => result.output);
    return chunks.map((chunk) => (chunk.type === 'chunk' ? chunk.code : '')).join('\n');
  } finally {
    if (previous === undefined) delete process.env.VITE_PATHOLENS_TEST_HOOK;
    else process.env.VITE_PATHOLENS_TEST_HOOK = previous;
  }
}

describe('the test hook', () => {
  it('is absent from a production build and present in a test build', { timeout: 600_000 }, async () => {
    expect(await builtScripts(false)).not.toContain('__patholens');
    expect(await builtScripts(true)).toContain('__patholens');
  });
});
