#!/usr/bin/env node
/**
 * Runs the export tool's pytest suite as part of `npm test`.
 * Python is found in this order: $PATHOLENS_PYTHON, the repo's .venv (made by .ci/run or by hand, see README),
 * then python3 on PATH. The suite needs the packages in models/export/requirements.txt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const testsDir = path.join(root, 'models', 'export', 'tests');

if (!existsSync(testsDir)) {
  console.log('Python tests: models/export/tests does not exist; nothing to run.');
  process.exit(0);
}

const venvPython = path.join(root, '.venv', 'bin', 'python');
const python = process.env.PATHOLENS_PYTHON ?? (existsSync(venvPython) ? venvPython : 'python3');

const probe = spawnSync(python, ['-c', 'import pytest, torch, onnxruntime'], { stdio: 'ignore' });
if (probe.error || probe.status !== 0) {
  console.error(
    `Python tests cannot run: ${python} lacks pytest, torch or onnxruntime. ` +
      'Create the environment with: python3 -m venv .venv && .venv/bin/pip install -r models/export/requirements.txt ' +
      '(or point PATHOLENS_PYTHON at a Python that has them).',
  );
  process.exit(2);
}

const result = spawnSync(python, ['-m', 'pytest', 'models/export/tests', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// pytest exits 5 when it collected no test: say so rather than fail an empty suite.
if (result.status === 5) {
  console.log('Python tests: pytest collected no tests.');
  process.exit(0);
}
process.exit(result.status ?? 1);
