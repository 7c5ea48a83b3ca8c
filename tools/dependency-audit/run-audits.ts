// Runs the two auditors as child processes and reads their JSON: `npm audit --omit=dev` (the packages the app ships)
// and pip-audit (the export tool's Python environment). A tool that could not reach its advisory database is
// "unavailable" with the reason, never an empty (and falsely clean) report.
import { spawn } from 'node:child_process';
import { readNpmAuditReport, readPipAuditReport, type AuditReport } from './findings';

export type AuditOutcome = { kind: 'report'; report: AuditReport } | { kind: 'unavailable'; reason: string };

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: Error;
}

function run(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (spawnError) => resolve({ code: null, stdout, stderr, spawnError }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((line) => line.trim())
      .pop() ?? ''
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `npm audit --json --omit=dev` in `projectDir` (its package-lock.json); `registry` overrides npm's configured one. */
export async function auditNpm(projectDir: string, registry?: string): Promise<AuditOutcome> {
  const args = ['audit', '--json', '--omit=dev', '--package-lock-only'];
  if (registry) args.push('--registry', registry);
  const ran = await run('npm', args, projectDir);
  if (ran.spawnError) return { kind: 'unavailable', reason: `npm could not be started (${ran.spawnError.message})` };
  const json = parseJson(ran.stdout) as { auditReportVersion?: number; message?: string } | undefined;
  if (json?.auditReportVersion === 2) return { kind: 'report', report: readNpmAuditReport(json) };
  // npm prints the registry's failure as JSON too ({"message": "405 Method Not Allowed - POST …/advisories/bulk"}).
  const reason = json?.message ?? (lastLine(ran.stderr) || `npm audit exited with ${ran.code}`);
  return { kind: 'unavailable', reason: `npm audit could not get the advisories: ${reason}` };
}

export interface PythonAuditTarget {
  /** The interpreter whose environment is audited (pip-audit must be installed in it). */
  python: string;
  /** Audit these pinned requirement files instead of the installed environment. */
  requirements?: string[];
  /** An OSV-compatible query endpoint (a mirror); pip-audit's default is https://api.osv.dev/v1/query. */
  osvUrl?: string;
}

export async function auditPython(target: PythonAuditTarget, cwd: string): Promise<AuditOutcome> {
  const args = ['-m', 'pip_audit', '--format', 'json', '--progress-spinner', 'off', '--desc', 'on', '-s', 'osv'];
  if (target.osvUrl) args.push('--osv-url', target.osvUrl);
  if (target.requirements?.length) {
    for (const file of target.requirements) args.push('-r', file);
    args.push('--no-deps', '--disable-pip');
  } else {
    args.push('--local');
  }
  const ran = await run(target.python, args, cwd);
  if (ran.spawnError) {
    return { kind: 'unavailable', reason: `${target.python} could not be started (${ran.spawnError.message})` };
  }
  const json = parseJson(ran.stdout);
  if (json !== undefined) {
    try {
      return { kind: 'report', report: readPipAuditReport(json) };
    } catch {
      // falls through to the stderr reason
    }
  }
  if (/No module named pip_audit/.test(ran.stderr)) {
    return {
      kind: 'unavailable',
      reason: `pip-audit is not installed in ${target.python}'s environment (pip install -r tools/dependency-audit/requirements.txt)`,
    };
  }
  const reason = /Failed to resolve '([^']+)'|Max retries exceeded with url|ConnectionError|ConnectTimeout/.test(ran.stderr)
    ? `pip-audit could not reach the OSV vulnerability database (${lastLine(ran.stderr).slice(0, 300)})`
    : `pip-audit failed: ${lastLine(ran.stderr).slice(0, 300) || `exit ${ran.code}`}`;
  return { kind: 'unavailable', reason };
}
