/**
 * Sentences for what goes wrong between PathoLens and an OpenAI-compatible server, each with what to do. Error
 * bodies come in several shapes (OpenAI's `{"error": {...}}`, FastAPI's `{"detail": …}` from `transformers
 * serve`, plain text); the server's own words are quoted after ours.
 */
import { InferenceError } from '../inference-error';
import { errorInJson } from './openai-stream';

/**
 * How to let the browser read answers from each server, for the CORS sentence. vLLM allows every origin unless
 * `--allowed-origins` narrows it; SGLang answers with `Access-Control-Allow-Origin: *` since sgl-project/sglang#1373
 * (2024); `transformers serve` sends no CORS headers without `--enable-cors`. A proxy in front may drop them.
 */
export const CORS_HINT =
  "start transformers serve with --enable-cors; vLLM and SGLang allow any origin by default, so if vLLM was started with --allowed-origins, add this page's origin to it, and if a proxy is in front of the server, let it pass or add Access-Control-Allow-Origin; " +
  'and allow the server in PathoLens\'s Content-Security-Policy with PATHOLENS_CONNECT_SOURCES="http://host:port" when you start PathoLens';

/** The server's message from an error body, shortened; empty when the body says nothing useful. */
export function serverMessage(body: string): string {
  const trimmed = body.trim();
  if (!trimmed) return '';
  let message = trimmed;
  try {
    message = errorInJson(JSON.parse(trimmed)) ?? trimmed;
  } catch {
    // plain text (or HTML): use it as it is
  }
  message = message.replace(/\s+/g, ' ');
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

function quoted(message: string): string {
  return message ? ` (the server said: "${message.replace(/\.$/, '')}")` : '';
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

export function httpError(status: number, body: string, context: { baseUrl: string; model: string; retryAfter: string | null }): InferenceError {
  const said = quoted(serverMessage(body));
  if (status === 401 || status === 403) {
    return new InferenceError('remote-auth', `The server at ${context.baseUrl} refused the API key (HTTP ${status})${said}. Check the key in the Models tab`);
  }
  if (status === 404) {
    return new InferenceError(
      'remote-model',
      `The server at ${context.baseUrl} has no model "${context.model}" or no chat-completions endpoint (HTTP 404)${said}. Pick a model the server lists in the Models tab, and check that the URL ends where /v1 begins`,
    );
  }
  if (status === 429) {
    const wait = retryAfterSeconds(context.retryAfter);
    const when = wait === null ? 'in a moment' : `in ${wait} s`;
    return new InferenceError('remote-rate-limit', `The server at ${context.baseUrl} is busy (HTTP 429)${said}. Ask again ${when}`);
  }
  if (status === 408 || status === 504) {
    return new InferenceError('remote-timeout', `The server at ${context.baseUrl} timed out (HTTP ${status})${said}. Ask again, or shorten the answer length`);
  }
  if (status === 400 || status === 422) {
    // Several servers (transformers serve among them) report an unknown model as a bad request.
    const kind = /model/i.test(said) ? 'remote-model' : 'remote-server';
    return new InferenceError(kind, `The server at ${context.baseUrl} refused the request (HTTP ${status})${said}. Check the model name and the settings`);
  }
  return new InferenceError('remote-server', `The server at ${context.baseUrl} failed (HTTP ${status})${said}. Try again, or check the server's log`);
}

/** fetch() rejected before any answer: the server is down, the address is wrong, or the browser blocked it. */
export function unreachableError(baseUrl: string, cause: unknown): InferenceError {
  const inBrowser = typeof document !== 'undefined' || typeof WorkerGlobalScope !== 'undefined';
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  const sentence = inBrowser
    ? `PathoLens could not reach the server at ${baseUrl}${detail}: it is not running, the address is wrong, or the browser blocked it (CORS or this page's Content-Security-Policy). Check the address; to allow the browser, ${CORS_HINT}`
    : `PathoLens could not reach the server at ${baseUrl}${detail}: it is not running or the address is wrong. Check the address and that the server is up`;
  return new InferenceError('remote-unreachable', sentence, { cause });
}

declare const WorkerGlobalScope: unknown;
