// Which findings fail the audit: npm advisories at or above the threshold severity (high by default) and every
// Python vulnerability (pip-audit gives no severity), unless an allow-list entry that is still in date names them.
import type { Allowlist, AllowlistEntry } from './allowlist';
import type { Finding, Severity } from './findings';

const RANK: Record<Severity, number> = { info: 0, low: 1, moderate: 2, high: 3, critical: 4, unrated: 5 };

export type Verdict =
  | { finding: Finding; status: 'fails' }
  | { finding: Finding; status: 'allowed'; entry: AllowlistEntry }
  | { finding: Finding; status: 'expired'; entry: AllowlistEntry }
  | { finding: Finding; status: 'below-threshold' };

export interface Judgement {
  verdicts: Verdict[];
  /** Allow-list entries no finding needed: candidates for removal (reported, not failed). */
  unused: { ecosystem: Finding['ecosystem']; entry: AllowlistEntry }[];
  failed: boolean;
}

function matches(entry: AllowlistEntry, finding: Finding): boolean {
  const ids = [finding.id, ...finding.aliases].map((id) => id.toUpperCase());
  return entry.package.toLowerCase() === finding.package.toLowerCase() && ids.includes(entry.id.toUpperCase());
}

export function judge(
  findings: Finding[],
  allowlist: Allowlist,
  options: { today: string; threshold: Exclude<Severity, 'unrated'>; ecosystems: Finding['ecosystem'][] },
): Judgement {
  const used = new Set<AllowlistEntry>();
  const verdicts = findings.map((finding): Verdict => {
    if (RANK[finding.severity] < RANK[options.threshold]) return { finding, status: 'below-threshold' };
    const entry = allowlist[finding.ecosystem].find((candidate) => matches(candidate, finding));
    if (!entry) return { finding, status: 'fails' };
    used.add(entry);
    // ISO dates compare as strings.
    return entry.reviewBy < options.today ? { finding, status: 'expired', entry } : { finding, status: 'allowed', entry };
  });
  const unused = options.ecosystems.flatMap((ecosystem) => allowlist[ecosystem].filter((entry) => !used.has(entry)).map((entry) => ({ ecosystem, entry })));
  return {
    verdicts,
    unused,
    failed: verdicts.some((verdict) => verdict.status === 'fails' || verdict.status === 'expired'),
  };
}
