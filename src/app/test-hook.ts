/**
 * Test hook: puts the Patho-R1 client and the Ask store on `window.__patholens` so Playwright can drive the
 * real worker in the production build and pin settings the UI does not offer (a minimum answer length, so a
 * tiny random model cannot end an answer before a test stops it). Nothing here bypasses a check.
 */
import { askStore } from '../features/ask/ask-store';
import { PathoR1Client } from '../inference/patho-r1-client';

const hook = ((window as unknown as { __patholens?: Record<string, unknown> }).__patholens ??= {});
hook.PathoR1Client = PathoR1Client;
hook.askStore = askStore;
