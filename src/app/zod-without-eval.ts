/**
 * Imported first by src/main.tsx, before any module builds a zod schema. zod 4 compiles object parsers with
 * new Function() when it may, and finds out by trying it once, when the first object schema is built: under
 * PathoLens's CSP (no 'unsafe-eval') that try is reported as a CSP violation on every page load. Parse without
 * compiling instead (the same results; zod's interpreted path).
 */
import { z } from 'zod';

z.config({ jitless: true });
