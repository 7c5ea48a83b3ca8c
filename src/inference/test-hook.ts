/**
 * Test hook: puts the Patho-R1 client on `window.__patholens` so Playwright can drive the real worker in the
 * production build (the Ask panel uses the same client). Exposes nothing a page script could not build itself.
 */
import { PathoR1Client } from './patho-r1-client';

const hook = ((window as unknown as { __patholens?: Record<string, unknown> }).__patholens ??= {});
hook.PathoR1Client = PathoR1Client;
