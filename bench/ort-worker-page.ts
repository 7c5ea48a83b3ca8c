/**
 * The harness the ONNX Runtime Web probes share (profile-vision.ts, probe-xnnpack.ts): a cross-origin isolated page
 * on 127.0.0.1 (so ONNX Runtime Web may start several threads) whose module workers each run the probe's
 * /worker.mjs, driven one message at a time from Node; ONNX Runtime Web's own files are served under /ort/.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ORT_WEB_DIST = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Worker-source preamble: ONNX Runtime Web has no file system, so at `endProfiling()` its WASM prints the profile's
 * JSON lines to the console; this keeps them in `lines` (the worker posts them back) and passes other output on.
 */
export const PROFILE_CAPTURE = `
const lines = [];
const log = console.log.bind(console);
console.log = (...parts) => { const text = parts.join(' '); if (text.startsWith('{"cat"')) lines.push(text); else log(text); };
`;

export interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  ts: number;
  args?: { op_name?: string; provider?: string };
}

/** The JSON lines ONNX Runtime's profiler writes (`{"cat" : ...},` per event, between `[` and `]`). */
export function parseProfileLines(lines: string[]): ProfileEvent[] {
  return lines
    .map((line) => line.trim().replace(/,$/, ''))
    .filter((line) => line.startsWith('{"cat"'))
    .map((line) => JSON.parse(line) as ProfileEvent);
}

export function sendIsolated(response: ServerResponse, type: string, body: string | Buffer): void {
  response.writeHead(200, { 'Content-Type': type, ...ISOLATION_HEADERS });
  response.end(body);
}

/** Streams a (possibly large) file, e.g. a model. */
export function sendFile(response: ServerResponse, file: string): void {
  response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': statSync(file).size, ...ISOLATION_HEADERS });
  createReadStream(file).pipe(response);
}

/**
 * Serves `/` (an empty page), `/worker.mjs` (the probe's worker source) and ONNX Runtime Web's .mjs/.wasm files
 * under /ort/; `route` answers the probe's own paths first (return true when it did). Resolves once listening.
 */
export async function startWorkerPageServer(
  workerSource: string,
  route: (pathname: string, response: ServerResponse, request: IncomingMessage) => boolean = () => false,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (route(pathname, response, request)) return;
    if (pathname === '/') return sendIsolated(response, 'text/html', '<!doctype html><meta charset="utf-8"><title>probe</title>');
    if (pathname === '/worker.mjs') return sendIsolated(response, 'text/javascript', workerSource);
    const name = pathname.replace(/^\/ort\//, '');
    if (pathname.startsWith('/ort/') && /^[\w.-]+\.(mjs|wasm)$/.test(name)) {
      return sendIsolated(response, name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', readFileSync(path.join(ORT_WEB_DIST, name)));
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` };
}

/** What the probes' workers answer: after init, ONNX Runtime Web's facts; after a run, its time; or an error. */
export interface OrtWorkerReply {
  threads?: number;
  version?: string;
  isolated?: boolean;
  ms?: number;
  error?: string;
}

/**
 * Opens the page and returns `call(index, message)`: posts one message to worker `index` (made on first use) and
 * resolves with its reply; a reply with `error` throws, prefixed with `label(index)`.
 */
export async function workerCaller<Reply extends { error?: string }>(
  page: Page,
  url: string,
  label: (index: number) => string,
): Promise<(index: number, message: unknown) => Promise<Reply>> {
  // tsx compiles with esbuild's keepNames, which wraps functions in __name(); the page has no such helper.
  await page.addInitScript('globalThis.__name = (target) => target;');
  await page.goto(url);
  await page.evaluate(() => {
    const workers: Worker[] = [];
    Object.assign(window, {
      callWorker: (index: number, message: unknown) =>
        new Promise((resolve) => {
          workers[index] ??= new Worker('/worker.mjs', { type: 'module' });
          const worker = workers[index]!;
          worker.onmessage = ({ data }) => resolve(data);
          worker.onerror = (event) => resolve({ error: event.message });
          worker.postMessage(message);
        }),
    });
  });
  return async (index, message) => {
    const reply = await page.evaluate(
      ([index, message]) => (window as unknown as { callWorker(index: number, message: unknown): Promise<Reply> }).callWorker(index, message),
      [index, message] as const,
    );
    if (reply.error) throw new Error(`${label(index)}: ${reply.error}`);
    return reply;
  };
}
