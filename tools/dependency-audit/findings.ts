// What `npm audit --json` and `pip-audit -f json` report, read into one shape: one finding per advisory and package.
// Pure functions (no I/O) so the tests can feed them the JSON the real tools printed.

export type Ecosystem = 'npm' | 'python';

/** npm's severities; pip-audit reports none (OSV records carry no single severity), so Python findings are 'unrated'. */
export type Severity = 'info' | 'low' | 'moderate' | 'high' | 'critical' | 'unrated';

export interface Finding {
  ecosystem: Ecosystem;
  package: string;
  /** The installed version (pip-audit) or the vulnerable range (npm). */
  version: string;
  /** GHSA-… for npm (from the advisory URL), the id pip-audit printed for Python (CVE-…, PYSEC-…, GHSA-…). */
  id: string;
  aliases: string[];
  severity: Severity;
  title: string;
  fix: string;
}

export interface AuditReport {
  /** How many installed packages the tool checked. */
  checked: number;
  findings: Finding[];
}

interface NpmAdvisory {
  source: number;
  name: string;
  title?: string;
  url?: string;
  severity?: string;
  range?: string;
}

interface NpmVulnerability {
  name: string;
  via: (string | NpmAdvisory)[];
  fixAvailable?: boolean | { name: string; version: string; isSemVerMajor?: boolean };
}

interface NpmAuditJson {
  auditReportVersion?: number;
  vulnerabilities?: Record<string, NpmVulnerability>;
  metadata?: { dependencies?: { total?: number } };
}

const NPM_SEVERITIES: readonly Severity[] = ['info', 'low', 'moderate', 'high', 'critical'];

function npmSeverity(value: string | undefined): Severity {
  return NPM_SEVERITIES.find((severity) => severity === value) ?? 'unrated';
}

function npmFix(fix: NpmVulnerability['fixAvailable']): string {
  if (fix === true) return 'npm audit fix';
  if (fix && typeof fix === 'object') return `${fix.name}@${fix.version}${fix.isSemVerMajor ? ' (major)' : ''}`;
  return 'no fix released';
}

/**
 * Reads npm's audit report (auditReportVersion 2). A package is listed once per advisory that names it; the entries
 * whose `via` is only another package's name (the dependants of a vulnerable package) add no advisory of their own.
 */
export function readNpmAuditReport(json: unknown): AuditReport {
  const report = json as NpmAuditJson;
  if (report?.auditReportVersion !== 2 || typeof report.vulnerabilities !== 'object') {
    throw new Error('not an npm audit report (auditReportVersion 2)');
  }
  const findings = new Map<string, Finding>();
  for (const vulnerability of Object.values(report.vulnerabilities)) {
    for (const via of vulnerability.via) {
      if (typeof via === 'string') continue;
      const ghsa = /\/(GHSA-[\w-]+)$/.exec(via.url ?? '')?.[1];
      const id = ghsa ?? `npm-${via.source}`;
      const key = `${via.name}\u0000${id}`;
      if (findings.has(key)) continue;
      findings.set(key, {
        ecosystem: 'npm',
        package: via.name,
        version: via.range ?? '',
        id,
        aliases: ghsa ? [`npm-${via.source}`] : [],
        severity: npmSeverity(via.severity),
        title: via.title ?? '',
        fix: via.name === vulnerability.name ? npmFix(vulnerability.fixAvailable) : 'see the package it comes with',
      });
    }
  }
  return { checked: report.metadata?.dependencies?.total ?? 0, findings: [...findings.values()] };
}

interface PipAuditJson {
  dependencies?: {
    name: string;
    version?: string;
    skip_reason?: string;
    vulns?: { id: string; fix_versions?: string[]; aliases?: string[]; description?: string }[];
  }[];
}

/** Reads `pip-audit --format json`. */
export function readPipAuditReport(json: unknown): AuditReport {
  const report = json as PipAuditJson;
  if (!Array.isArray(report?.dependencies)) throw new Error('not a pip-audit JSON report (no "dependencies" list)');
  const findings: Finding[] = [];
  let checked = 0;
  for (const dependency of report.dependencies) {
    if (dependency.skip_reason) continue;
    checked += 1;
    for (const vuln of dependency.vulns ?? []) {
      findings.push({
        ecosystem: 'python',
        package: dependency.name,
        version: dependency.version ?? '',
        id: vuln.id,
        aliases: vuln.aliases ?? [],
        severity: 'unrated',
        title: (vuln.description ?? '').split('\n', 1)[0]?.slice(0, 120) ?? '',
        fix: vuln.fix_versions?.length ? `${dependency.name}==${vuln.fix_versions[0]}` : 'no fix released',
      });
    }
  }
  return { checked, findings };
}
