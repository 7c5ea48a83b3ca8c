// The audit's allow-list (audit-allowlist.json at the repository root): each exception names the advisory, the
// package, why it does not affect PathoLens, and a date by which someone looks at it again. An entry past that date
// allows nothing, so an exception cannot outlive the reason it was granted.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const entrySchema = z.object({
  /** The advisory: GHSA-…, CVE-…, PYSEC-… (any id or alias the tool reports). */
  id: z.string().min(1),
  package: z.string().min(1),
  why: z.string().min(20, 'say in a sentence why this advisory does not affect PathoLens'),
  reviewBy: z.iso.date(),
});

export const allowlistSchema = z.object({
  about: z.string().optional(),
  npm: z.array(entrySchema),
  python: z.array(entrySchema),
});

export type AllowlistEntry = z.infer<typeof entrySchema>;
export type Allowlist = z.infer<typeof allowlistSchema>;

export function parseAllowlist(text: string, source: string): Allowlist {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = allowlistSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw new Error(`${source} is not a valid allow-list: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export function readAllowlist(path: string): Allowlist {
  return parseAllowlist(readFileSync(path, 'utf8'), path);
}
