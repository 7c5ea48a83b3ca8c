/**
 * `npm run audit` (cli/dependency-audit.ts) with the real npm and the real pip-audit. Only their advisory databases
 * are stood in for, by one server on 127.0.0.1 that answers npm's bulk-advisory endpoint and the OSV query API the way
 * the real services do, with real published advisories (lodash GHSA-35jh-r3h4-6jhm high and GHSA-29mw-wpgm-hmr9
 * moderate; minimist GHSA-xvch-5gv4-984h critical; Pillow GHSA-3f63-hfp8-52jq / CVE-2023-50447): this machine's
 * registry answers the audit endpoint with 405 and api.osv.dev is not reachable.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowlist, readAllowlist } from '../../tools/dependency-audit/allowlist';
import { readNpmAuditReport } from '../../tools/dependency-audit/findings';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PYTHON = path.join(ROOT, '.venv/bin/python');

const LODASH_ADVISORIES = [
  {
    id: 1106913,
    url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm',
    title: 'Command Injection in lodash',
    severity: 'high',
    vulnerable_versions: '<4.17.21',
    cwe: ['CWE-77', 'CWE-94'],
    cvss: { score: 7.2, vectorString: 'CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H' },
  },
  {
    id: 1106914,
    url: 'https://github.com/advisories/GHSA-29mw-wpgm-hmr9',
    title: 'Regular Expression Denial of Service (ReDoS) in lodash',
    severity: 'moderate',
    vulnerable_versions: '>=4.0.0 <4.17.21',
    cwe: ['CWE-400', 'CWE-1333'],
    cvss: { score: 5.3, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' },
  },
];
const MINIMIST_ADVISORY = {
  id: 1097677,
  url: 'https://github.com/advisories/GHSA-xvch-5gv4-984h',
  title: 'Prototype Pollution in minimist',
  severity: 'critical',
  vulnerable_versions: '<0.2.4 || >=1.0.0 <1.2.6',
  cwe: ['CWE-1321'],
  cvss: { score: 9.8, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
};
const PILLOW_OSV = {
  id: 'GHSA-3f63-hfp8-52jq',
  summary: 'Arbitrary Code Execution in Pillow',
  details: 'Pillow through 10.1.0 allows PIL.ImageMath.eval Arbitrary Code Execution via the environment parameter.',
  aliases: ['CVE-2023-50447'],
  modified: '2024-01-20T05:02:12Z',
  published: '2024-01-19T21:30:35Z',
  affected: [
    {
      package: { name: 'pillow', ecosystem: 'PyPI' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '10.2.0' }] }],
    },
  ],
};

function packument(name: string, versions: string[]) {
  return {
    name,
    'dist-tags': { latest: versions.at(-1) },
    versions: Object.fromEntries(versions.map((version) => [version, { name, version, dist: { tarball: `https://example.invalid/${name}-${version}.tgz` } }])),
  };
}

/** The advisory databases: npm's bulk endpoint + packuments, and OSV's /v1/query (only the versions asked about). */
class AdvisoryServer {
  bulkStatus = 200;
  osvAnswersPillow = true;
  npmAsked: string[] = [];
  osvAsked: string[] = [];
  private server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      response.setHeader('content-type', 'application/json');
      if (request.url === '/-/npm/v1/security/advisories/bulk') {
        if (this.bulkStatus !== 200) {
          response.writeHead(this.bulkStatus, { allow: 'GET,HEAD' }).end();
          return;
        }
        const asked = JSON.parse(body.toString()) as Record<string, string[]>;
        this.npmAsked.push(...Object.keys(asked));
        const answer: Record<string, unknown[]> = {};
        if (asked.lodash?.includes('4.17.20')) answer.lodash = LODASH_ADVISORIES;
        if (asked.minimist?.includes('1.2.5')) answer.minimist = [MINIMIST_ADVISORY];
        response.end(JSON.stringify(answer));
      } else if (request.url === '/lodash') {
        response.end(JSON.stringify(packument('lodash', ['4.17.20', '4.17.21'])));
      } else if (request.url === '/minimist') {
        response.end(JSON.stringify(packument('minimist', ['1.2.5', '1.2.6'])));
      } else if (request.url === '/v1/query') {
        const query = JSON.parse(body.toString()) as { package: { name: string }; version: string };
        this.osvAsked.push(`${query.package.name}==${query.version}`);
        const affected = this.osvAnswersPillow && query.package.name === 'pillow' && query.version === '9.0.0';
        response.end(JSON.stringify(affected ? { vulns: [PILLOW_OSV] } : {}));
      } else {
        response.writeHead(404).end('{}');
      }
    });
  });
  url = '';
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }
}

/** A project whose lockfile has lodash 4.17.20 (shipped) and minimist 1.2.5 (a dev dependency only). */
function makeProject(dir: string) {
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'audit-fixture', version: '1.0.0', dependencies: { lodash: '4.17.20' }, devDependencies: { minimist: '1.2.5' } }),
  );
  const lock = {
    name: 'audit-fixture',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'audit-fixture', version: '1.0.0', dependencies: { lodash: '4.17.20' }, devDependencies: { minimist: '1.2.5' } },
      'node_modules/lodash': { version: '4.17.20', resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz' },
      'node_modules/minimist': { version: '1.2.5', resolved: 'https://registry.npmjs.org/minimist/-/minimist-1.2.5.tgz', dev: true },
    },
  };
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock));
  writeFileSync(path.join(dir, 'requirements.txt'), 'pillow==9.0.0\nnumpy==2.4.6\n');
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Asynchronous on purpose: the advisory server answers from this same process. */
function audit(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli/dependency-audit.ts'), ...args], { cwd: ROOT }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function allowlistFile(dir: string, name: string, content: object): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const LODASH_ENTRY = {
  id: 'GHSA-35jh-r3h4-6jhm',
  package: 'lodash',
  why: 'Only _.template is affected and PathoLens never passes user text to it as a template.',
  reviewBy: '2027-01-31',
};
const PILLOW_ENTRY = {
  id: 'GHSA-3f63-hfp8-52jq',
  package: 'Pillow',
  why: 'The export tool never calls ImageMath.eval; it only decodes calibration images.',
  reviewBy: '2027-01-31',
};

describe('npm run audit with the real npm and pip-audit', () => {
  const server = new AdvisoryServer();
  let dir: string;
  let common: string[];
  beforeAll(async () => {
    await server.start();
    dir = mkdtempSync(path.join(tmpdir(), 'dependency-audit-'));
    makeProject(dir);
    common = [
      '--project',
      dir,
      '--registry',
      `${server.url}/`,
      '--python',
      PYTHON,
      '--python-requirements',
      path.join(dir, 'requirements.txt'),
      '--osv-url',
      `${server.url}/v1/query`,
      '--today',
      '2026-12-01',
    ];
  });
  afterAll(() => server.stop());

  it('fails on the high npm advisory and the Python vulnerability; the moderate one and the dev-only package do not count', async () => {
    const empty = allowlistFile(dir, 'empty.json', { npm: [], python: [] });
    const run = await audit([...common, '--allowlist', empty]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILS +npm lodash <4\.17\.21 · GHSA-35jh-r3h4-6jhm \(high\) Command Injection in lodash/m);
    expect(run.stdout).toMatch(/^below +npm lodash .* GHSA-29mw-wpgm-hmr9 \(moderate\)/m);
    // pip-audit prints the CVE as the id and the GHSA as its alias.
    expect(run.stdout).toMatch(/^FAILS +python pillow 9\.0\.0 · CVE-2023-50447 .* fix: pillow==10\.2\.0/m);
    expect(run.stdout).not.toMatch(/minimist|numpy.*FAILS/);
    expect(server.npmAsked).not.toContain('minimist');
    expect(server.osvAsked).toEqual(expect.arrayContaining(['pillow==9.0.0', 'numpy==2.4.6']));
    expect(run.stderr).toContain('The dependency audit failed: 2 advisories are at high severity or above');
  });

  it('--threshold moderate fails on the moderate advisory too', async () => {
    const allowed = allowlistFile(dir, 'allowed.json', { npm: [LODASH_ENTRY], python: [PILLOW_ENTRY] });
    const run = await audit([...common, '--allowlist', allowed, '--threshold', 'moderate']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILS +npm lodash .* GHSA-29mw-wpgm-hmr9 \(moderate\)/m);
  });

  it('passes when the allow-list names each advisory (by id or alias) with a reason, and shows the reasons', async () => {
    const allowed = allowlistFile(dir, 'allowed.json', { npm: [LODASH_ENTRY], python: [PILLOW_ENTRY] });
    const run = await audit([...common, '--allowlist', allowed]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('allowed  npm lodash <4.17.21 · GHSA-35jh-r3h4-6jhm (high) Command Injection in lodash · until 2027-01-31: Only _.template');
    expect(run.stdout).toMatch(/^allowed +python pillow 9\.0\.0 · CVE-2023-50447 .* The export tool never calls ImageMath\.eval/m);
    expect(run.stdout).toContain('The dependency audit passed.');
  });

  it('an entry past its review date allows nothing; an entry nothing needs is pointed out', async () => {
    const allowed = allowlistFile(dir, 'allowed-stale.json', {
      npm: [LODASH_ENTRY, { ...LODASH_ENTRY, id: 'GHSA-p6mc-m468-83gw', why: 'An old prototype-pollution advisory, fixed long ago.' }],
      python: [PILLOW_ENTRY],
    });
    const late = await audit([...common, '--allowlist', allowed, '--today', '2027-02-01']);
    expect(late.code).toBe(1);
    expect(late.stdout).toMatch(/^EXPIRED +npm lodash .* GHSA-35jh-r3h4-6jhm .* allowed until 2027-01-31/m);
    expect(late.stdout).toMatch(/^EXPIRED +python pillow/m);
    const inDate = await audit([...common, '--allowlist', allowed]);
    expect(inDate.code).toBe(0);
    expect(inDate.stdout).toContain('note: the npm allow-list entry GHSA-p6mc-m468-83gw for lodash matched nothing; remove it.');
  });

  it('a database that cannot be reached is "could not run" (exit 2), never a clean report; --if-unavailable warn goes on', async () => {
    const allowed = allowlistFile(dir, 'allowed.json', { npm: [LODASH_ENTRY], python: [PILLOW_ENTRY] });
    server.bulkStatus = 405;
    try {
      const closedPort = ['--osv-url', 'http://127.0.0.1:9/v1/query'];
      const run = await audit([...common, '--allowlist', allowed, ...closedPort]);
      expect(run.code).toBe(2);
      expect(run.stdout).not.toContain('passed');
      expect(run.stderr).toContain(
        `The dependency audit could not run: npm audit could not get the advisories: 405 Method Not Allowed - POST ${server.url}/-/npm/v1/security/advisories/bulk.`,
      );
      expect(run.stderr).toContain('The dependency audit could not run: pip-audit could not reach the OSV vulnerability database');
      const warned = await audit([...common, '--allowlist', allowed, ...closedPort, '--if-unavailable', 'warn']);
      expect(warned.code).toBe(0);
      expect(warned.stderr).toContain('Warning: part of the dependency audit did not run: npm audit could not get the advisories: 405');
    } finally {
      server.bulkStatus = 200;
    }
  });

  it("audits the export tool's installed environment (.venv) package by package", async () => {
    const empty = allowlistFile(dir, 'empty.json', { npm: [], python: [] });
    const asked = server.osvAsked.length;
    const run = await audit(['--skip', 'npm', '--python', PYTHON, '--osv-url', `${server.url}/v1/query`, '--allowlist', empty]);
    expect(run.code).toBe(0);
    const checked = Number(/^python: (\d+) packages checked, 0 advisories$/m.exec(run.stdout)?.[1]);
    expect(checked).toBeGreaterThan(50);
    const queried = server.osvAsked.slice(asked);
    expect(queried).toEqual(expect.arrayContaining([expect.stringMatching(/^torch==2\.14\.1/), 'onnx==1.23.2', expect.stringMatching(/^pip-audit==/)]));
  }, 120_000);

  it('a bad allow-list is a sentence naming the field, exit 2', async () => {
    const bad = allowlistFile(dir, 'bad.json', { npm: [{ id: 'GHSA-35jh-r3h4-6jhm', package: 'lodash', reviewBy: '2027-01-31' }], python: [] });
    const run = await audit([...common, '--allowlist', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^The dependency audit cannot start: .*bad\.json is not a valid allow-list: npm\.0\.why: /);
  });
});

describe('the audit inputs', () => {
  it("the repository's audit-allowlist.json is valid and every exception says why", () => {
    const allowlist = readAllowlist(path.join(ROOT, 'audit-allowlist.json'));
    for (const entry of [...allowlist.npm, ...allowlist.python]) expect(entry.why.length).toBeGreaterThanOrEqual(20);
  });

  it('an entry without a date or with a short reason is refused', () => {
    expect(() => parseAllowlist('{"npm":[{"id":"X","package":"y","why":"because","reviewBy":"soon"}],"python":[]}', 'list.json')).toThrow(
      /npm\.0\.why: say in a sentence.*npm\.0\.reviewBy/,
    );
  });

  it('packages that only depend on a vulnerable one add no advisory of their own', () => {
    const report = readNpmAuditReport({
      auditReportVersion: 2,
      vulnerabilities: {
        lodash: {
          name: 'lodash',
          via: [{ source: 1106913, name: 'lodash', url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm', severity: 'high', title: 't', range: '<4.17.21' }],
          fixAvailable: true,
        },
        'lodash-user': { name: 'lodash-user', via: ['lodash'], fixAvailable: false },
      },
      metadata: { dependencies: { total: 2 } },
    });
    expect(report.findings.map((finding) => [finding.package, finding.id, finding.fix])).toEqual([['lodash', 'GHSA-35jh-r3h4-6jhm', 'npm audit fix']]);
  });
});
