/**
 * The one test hook: `window.__patholens`, installed only in builds made for tests (VITE_PATHOLENS_TEST_HOOK=true,
 * set by playwright.config.ts and the benchmark suites). Playwright drives the real code through it: the slide
 * readers and their decode pool, the Patho-R1 worker client, and the Ask store (to pin settings the UI does not
 * offer, such as a minimum answer length, so a tiny random model cannot end an answer before a test stops it).
 * Nothing here bypasses a check. A production build contains none of it (the call is removed as dead code).
 */
import { askStore } from '../features/ask';
import { PathoR1Client } from '../inference/patho-r1-client';
import { PathoClipClient } from '../inference/pathoclip-client';
import { searchTestHook } from '../features/search';
import { decodePool, openSlide } from '../slide/open-slide';

export interface PathoLensTestHook {
  openSlide: typeof openSlide;
  decodePool: typeof decodePool;
  PathoR1Client: typeof PathoR1Client;
  askStore: typeof askStore;
  PathoClipClient: typeof PathoClipClient;
  search: typeof searchTestHook;
}

/** True in builds made for tests; a constant that Vite replaces, so production drops the hook. */
export const TEST_HOOK_ENABLED = import.meta.env.VITE_PATHOLENS_TEST_HOOK === 'true';

export function installTestHook(target: Window): void {
  const hook: PathoLensTestHook = { openSlide, decodePool, PathoR1Client, askStore, PathoClipClient, search: searchTestHook };
  (target as Window & { __patholens?: PathoLensTestHook }).__patholens = hook;
}
