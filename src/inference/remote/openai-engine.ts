/**
 * Patho-R1 on an OpenAI-compatible server (vLLM, SGLang, `transformers serve`): the same engine interface as the
 * local model, so Ask, Practice and the evaluation harness do not know which one answers. Streams
 * `/v1/chat/completions` and hands each piece to the same `<think>`/`<answer>` parser as the local model. Stop
 * aborts the HTTP request (the server stops generating); a stream cut in the middle rejects with
 * `remote-stream-cut` after the text so far was delivered, so callers keep it.
 *
 * Plain fetch + eventsource-parser rather than the `openai` npm client: the client's retries and its Node-first
 * defaults (it refuses to run in a browser without `dangerouslyAllowBrowser`) add nothing here, and its typed
 * deltas leave out the `reasoning_content` field servers add — which we must read.
 */
import { InferenceError } from '../inference-error';
import { TokenClock, type GenerationOutcome, type PathoR1Engine, type PathoR1GenerateCallbacks, type PathoR1GenerateRequest } from '../patho-r1-engine';
import { buildChatRequest } from './openai-request';
import { CompletionStreamReader, replyFromCompletion, type ReplyUsage } from './openai-stream';
import { httpError, serverMessage, unreachableError } from './remote-errors';

export interface RemoteServerOptions {
  /** The server's address, with or without the trailing `/v1` (http://127.0.0.1:8000 or …/v1). */
  baseUrl: string;
  /** The model name as the server lists it in /v1/models. */
  model: string;
  /** Sent as `Authorization: Bearer …`; never logged or put in a sentence. */
  apiKey?: string;
  fetch?: typeof fetch;
  /** Longest wait for the first byte of an answer, and between two pieces of it (default 120 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;

function formatWait(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/** `http://host:8000`, `http://host:8000/`, `http://host:8000/v1/` → `http://host:8000/v1`. */
export function apiRoot(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new InferenceError('bad-request', `"${baseUrl}" is not a server address; give one like http://127.0.0.1:8000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InferenceError('bad-request', `"${baseUrl}" is not an http(s) address`);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1') ? path : `${path}/v1`;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/$/, '');
}

function headers(apiKey: string | undefined, json: boolean): Record<string, string> {
  const result: Record<string, string> = { Accept: json ? 'application/json' : 'text/event-stream' };
  if (json) result['Content-Type'] = 'application/json';
  if (apiKey) result.Authorization = `Bearer ${apiKey}`;
  return result;
}

/** An AbortSignal that fires on the user's stop or after `ms` without progress; `touch()` restarts the clock. */
function idleTimeout(ms: number, userSignal: AbortSignal | undefined) {
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, ms);
  };
  const onUserAbort = () => controller.abort(userSignal?.reason);
  if (userSignal?.aborted) onUserAbort();
  userSignal?.addEventListener('abort', onUserAbort, { once: true });
  touch();
  return {
    signal: controller.signal,
    touch,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onUserAbort);
    },
  };
}

/** The models a server offers (`GET /v1/models`), for the Models tab's list and its connection test. */
export async function listRemoteModels(options: Omit<RemoteServerOptions, 'model'>): Promise<string[]> {
  const root = apiRoot(options.baseUrl);
  const doFetch = options.fetch ?? fetch;
  const timer = idleTimeout(options.timeoutMs ?? 15_000, undefined);
  let response: Response;
  try {
    response = await doFetch(`${root}/models`, { headers: headers(options.apiKey, false), signal: timer.signal });
  } catch (error) {
    timer.dispose();
    if (timer.timedOut())
      throw new InferenceError(
        'remote-timeout',
        `The server at ${root} did not answer within ${formatWait(options.timeoutMs ?? 15_000)}. Check that it is running`,
      );
    throw unreachableError(root, error);
  }
  try {
    const body = await response.text();
    if (!response.ok) throw httpError(response.status, body, { baseUrl: root, model: '', retryAfter: response.headers.get('retry-after') });
    let ids: unknown;
    try {
      ids = (JSON.parse(body) as { data?: { id?: unknown }[] }).data?.map((entry) => entry.id);
    } catch {
      ids = undefined;
    }
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      throw new InferenceError(
        'remote-server',
        `The server at ${root} answered /v1/models without a model list${serverMessage(body) ? ` ("${serverMessage(body).slice(0, 80)}")` : ''}. Is it an OpenAI-compatible server?`,
      );
    }
    return ids as string[];
  } finally {
    timer.dispose();
  }
}

export function createOpenAiCompatibleEngine(options: RemoteServerOptions): PathoR1Engine {
  const root = apiRoot(options.baseUrl);
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    async generate(request: PathoR1GenerateRequest, callbacks: PathoR1GenerateCallbacks = {}): Promise<GenerationOutcome> {
      const clock = new TokenClock();
      const body = JSON.stringify(await buildChatRequest(options.model, request, true));
      const timer = idleTimeout(timeoutMs, callbacks.signal);
      const stoppedByUser = () => callbacks.signal?.aborted === true;
      const timeoutError = () =>
        new InferenceError(
          'remote-timeout',
          `The server at ${root} sent nothing for ${formatWait(timeoutMs)}. The text so far is kept; ask again or check the server`,
        );
      let text = '';
      let usage: ReplyUsage | null = null;
      const outcome = (stopped: boolean): GenerationOutcome => ({
        newTokenIds: [],
        text,
        stopped,
        stats: { ...clock.stats(usage?.promptTokens ?? 0), newTokens: usage?.completionTokens ?? clock.count },
      });

      let response: Response;
      try {
        response = await doFetch(`${root}/chat/completions`, { method: 'POST', headers: headers(options.apiKey, true), body, signal: timer.signal });
      } catch (error) {
        timer.dispose();
        if (stoppedByUser()) return outcome(true);
        if (timer.timedOut()) throw timeoutError();
        throw unreachableError(root, error);
      }

      try {
        if (!response.ok) {
          let errorBody: string;
          try {
            errorBody = await response.text();
          } catch (error) {
            // Stopped, timed out or cut while the error body was still coming: say that, not the raw abort.
            if (stoppedByUser()) return outcome(true);
            if (timer.timedOut()) throw timeoutError();
            throw unreachableError(root, error);
          }
          throw httpError(response.status, errorBody, { baseUrl: root, model: options.model, retryAfter: response.headers.get('retry-after') });
        }
        const reader = new CompletionStreamReader();
        const deliver = (events: ReturnType<CompletionStreamReader['feed']>) => {
          for (const event of events) {
            if (event.kind === 'piece') {
              text += event.piece.text;
              if (event.piece.isToken) {
                clock.tick();
                callbacks.onToken?.(clock.count);
              }
              callbacks.onText?.(event.piece.text);
            } else if (event.kind === 'usage') usage = event.usage;
            else if (event.kind === 'error') {
              throw new InferenceError(
                'remote-stream-cut',
                `The server at ${root} stopped the answer with an error ("${event.message.replace(/\.$/, '')}"). The text so far is kept`,
              );
            }
          }
        };
        if (!response.body) {
          // A server that ignored `stream: true` and sent one JSON body.
          const reply = replyFromCompletion(JSON.parse(await response.text()));
          usage = reply.usage;
          deliver([{ kind: 'piece', piece: { text: reply.text, isToken: true } }]);
          return outcome(false);
        }
        // The bytes decoded here rather than through a TextDecoderStream: one stream stage (and its promise hops
        // per piece) fewer; `stream: true` keeps a character split between two pieces whole.
        const bodyReader = response.body.getReader();
        const decoder = new TextDecoder();
        try {
          for (;;) {
            const { done, value } = await bodyReader.read();
            if (done) {
              deliver(reader.feed(decoder.decode()));
              break;
            }
            timer.touch();
            deliver(reader.feed(decoder.decode(value, { stream: true })));
            if (reader.sawDone) break;
          }
        } catch (error) {
          if (error instanceof InferenceError) throw error;
          deliver(reader.end());
          if (stoppedByUser()) return outcome(true);
          if (timer.timedOut()) throw timeoutError();
          throw new InferenceError('remote-stream-cut', `The connection to ${root} broke in the middle of the answer. The text so far is kept; ask again`, {
            cause: error,
          });
        }
        deliver(reader.end());
        if (!reader.sawEnd) {
          throw new InferenceError(
            'remote-stream-cut',
            `The server at ${root} closed the connection before the answer was complete. The text so far is kept; ask again`,
          );
        }
        return outcome(false);
      } catch (error) {
        if (stoppedByUser() && !(error instanceof InferenceError)) return outcome(true);
        throw error;
      } finally {
        timer.dispose();
      }
    },
  };
}
