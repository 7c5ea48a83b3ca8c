/**
 * A real OpenAI-compatible server for tests and benchmarks: `transformers serve` (PyPI `transformers[serving]`,
 * installed in .venv by .ci/run) with the tiny Patho-R1 checkpoint on the CPU, on 127.0.0.1 at a free port.
 * Started and stopped by the test's own setup; nothing leaves the loopback interface.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TINY_CHECKPOINT = 'models/tiny/patho-r1';
const TRANSFORMERS_CLI = path.join(root, '.venv/bin/transformers');

export interface RunningServer {
  /** http://127.0.0.1:PORT (no /v1). */
  baseUrl: string;
  /** The model id the server lists (the checkpoint path as given). */
  model: string;
  process: ChildProcess;
  /** Kills the server (SIGKILL: also what the "server killed mid-stream" test needs). */
  stop(): Promise<void>;
  /** What the server printed, for failure messages. */
  log(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startTransformersServe({
  cors = true,
  port: fixedPort,
  timeoutMs = 120_000,
}: { cors?: boolean; port?: number; timeoutMs?: number } = {}): Promise<RunningServer> {
  if (!existsSync(TRANSFORMERS_CLI)) {
    throw new Error(`${TRANSFORMERS_CLI} is missing: install the test servers with ".venv/bin/pip install -r tests/servers/requirements.txt" (.ci/run does).`);
  }
  // A fixed port where the page's Content-Security-Policy must name the server (e2e), else any free one.
  const port = fixedPort ?? (await freePort());
  const args = [
    'serve',
    TINY_CHECKPOINT,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--device',
    'cpu',
    '--log-level',
    'warning',
    cors ? '--enable-cors' : '--no-enable-cors',
  ];
  // HF_HUB_OFFLINE: an unknown model name would otherwise hang on the (unreachable) Hub instead of failing.
  const child = spawn(TRANSFORMERS_CLI, args, {
    cwd: root,
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_NO_ADVISORY_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`transformers serve exited (${child.exitCode}) before it was ready:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/v1/models`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`transformers serve was not ready within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { baseUrl, model: TINY_CHECKPOINT, process: child, stop, log: () => output };
}
