/**
 * `npm run audit`: the dependency audit. `npm audit --omit=dev` (what the app ships) and pip-audit (the export tool's
 * Python environment, .venv) against their advisory databases; any npm advisory at high severity or above, and any
 * Python vulnerability, fails the run (exit 1) unless audit-allowlist.json names it with a reason and a review date.
 * When a database cannot be reached the run says so and exits 2 — an unchecked tree is never reported as clean —
 * unless `--if-unavailable warn` is given (then it warns and exits 0).
 */
import { parseArgs } from 'node:util';
import { readAllowlist } from '../tools/dependency-audit/allowlist';
import type { Ecosystem } from '../tools/dependency-audit/findings';
import { judge, type Verdict } from '../tools/dependency-audit/judge';
import { auditNpm, auditPython, type AuditOutcome } from '../tools/dependency-audit/run-audits';

const USAGE = `Usage: npm run audit -- [options]
  --allowlist FILE             exceptions (default audit-allowlist.json)
  --project DIR                the npm project to audit (default .)
  --registry URL               npm registry to ask for advisories (default: npm's configured one)
  --python FILE                interpreter whose environment pip-audit checks (default .venv/bin/python)
  --python-requirements FILE   audit pinned requirement files instead of the environment (repeatable)
  --osv-url URL                OSV-compatible endpoint for pip-audit (a mirror)
  --threshold SEVERITY         lowest npm severity that fails: low, moderate, high, critical (default high)
  --skip npm|python            leave one half out
  --if-unavailable fail|warn   what to do when an advisory database cannot be reached (default fail)
  --today YYYY-MM-DD           the date allow-list entries are checked against (default today, UTC)`;

const THRESHOLDS = ['info', 'low', 'moderate', 'high', 'critical'] as const;

function describe(verdict: Verdict): string {
  const { finding } = verdict;
  const head = `${finding.ecosystem} ${finding.package} ${finding.version} · ${finding.id} (${finding.severity}) ${finding.title}`;
  switch (verdict.status) {
    case 'fails':
      return `FAILS    ${head} · fix: ${finding.fix}`;
    case 'expired':
      return `EXPIRED  ${head} · allowed until ${verdict.entry.reviewBy} because: ${verdict.entry.why} · fix: ${finding.fix}`;
    case 'allowed':
      return `allowed  ${head} · until ${verdict.entry.reviewBy}: ${verdict.entry.why}`;
    case 'below-threshold':
      return `below    ${head}`;
  }
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        allowlist: { type: 'string', default: 'audit-allowlist.json' },
        project: { type: 'string', default: '.' },
        registry: { type: 'string' },
        python: { type: 'string', default: '.venv/bin/python' },
        'python-requirements': { type: 'string', multiple: true },
        'osv-url': { type: 'string' },
        threshold: { type: 'string', default: 'high' },
        skip: { type: 'string', multiple: true },
        'if-unavailable': { type: 'string', default: 'fail' },
        today: { type: 'string', default: new Date().toISOString().slice(0, 10) },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const threshold = THRESHOLDS.find((name) => name === values.threshold);
  const skip = values.skip ?? [];
  if (!threshold || !['fail', 'warn'].includes(values['if-unavailable']) || skip.some((s) => s !== 'npm' && s !== 'python')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }

  let allowlist;
  try {
    allowlist = readAllowlist(values.allowlist);
  } catch (error) {
    process.stderr.write(`The dependency audit cannot start: ${(error as Error).message}\n`);
    return 2;
  }

  const outcomes: [Ecosystem, AuditOutcome][] = [];
  if (!skip.includes('npm')) outcomes.push(['npm', await auditNpm(values.project, values.registry)]);
  if (!skip.includes('python')) {
    const target = { python: values.python, requirements: values['python-requirements'], osvUrl: values['osv-url'] };
    outcomes.push(['python', await auditPython(target, process.cwd())]);
  }

  const unavailable = outcomes.flatMap(([, outcome]) => (outcome.kind === 'unavailable' ? [outcome.reason] : []));
  const reported = outcomes.flatMap(([ecosystem, outcome]) => (outcome.kind === 'report' ? [{ ecosystem, report: outcome.report }] : []));
  for (const { ecosystem, report } of reported) {
    process.stdout.write(`${ecosystem}: ${report.checked} packages checked, ${report.findings.length} advisories\n`);
  }
  const judgement = judge(
    reported.flatMap(({ report }) => report.findings),
    allowlist,
    { today: values.today, threshold, ecosystems: reported.map(({ ecosystem }) => ecosystem) },
  );
  for (const verdict of judgement.verdicts) process.stdout.write(`${describe(verdict)}\n`);
  for (const { ecosystem, entry } of judgement.unused) {
    process.stdout.write(`note: the ${ecosystem} allow-list entry ${entry.id} for ${entry.package} matched nothing; remove it.\n`);
  }

  if (judgement.failed) {
    const count = judgement.verdicts.filter((v) => v.status === 'fails' || v.status === 'expired').length;
    process.stderr.write(
      `The dependency audit failed: ${count} ${count === 1 ? 'advisory is' : 'advisories are'} at ${threshold} severity or above ` +
        `(every Python vulnerability counts) and not allowed by ${values.allowlist} (or allowed past its review date). ` +
        'Update the package (the fix shown), or, if PathoLens is not affected, add an entry with the advisory id, the ' +
        'package, why, and a reviewBy date.\n',
    );
  }
  for (const reason of unavailable) {
    const warn = values['if-unavailable'] === 'warn';
    process.stderr.write(
      `${warn ? 'Warning: part of the dependency audit did not run' : 'The dependency audit could not run'}: ${reason}. ` +
        (warn
          ? 'Those packages were not checked.\n'
          : 'Those packages were not checked; run it where the advisory databases are reachable, or pass --if-unavailable warn to go on without them.\n'),
    );
  }
  if (judgement.failed) return 1;
  if (unavailable.length && values['if-unavailable'] === 'fail') return 2;
  if (!unavailable.length) process.stdout.write('The dependency audit passed.\n');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
