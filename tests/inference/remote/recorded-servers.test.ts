/**
 * What vLLM and SGLang send, which the test server (`transformers serve`) cannot produce: their streams with
 * `data: [DONE]` and `reasoning_content` deltas, their error bodies, a 401 for a wrong key and a 429 with
 * Retry-After. The bytes below are the servers' own, copied from where they were recorded or from the code that
 * writes them (each cited); a loopback HTTP server replays them, split at awkward points, to the real engine
 * (fetch, TextDecoderStream, eventsource-parser, the sentences), so status lines and headers go the real way too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS } from '../../../src/inference/generation-settings';
import { InferenceError } from '../../../src/inference/inference-error';
import { createOpenAiCompatibleEngine } from '../../../src/inference/remote/openai-engine';
import { buildPathoR1Messages } from '../../../src/inference/patho-r1-prompt';

interface Recorded {
  status: number;
  headers: Record<string, string>;
  /** Written in these pieces of bytes, each flushed on its own. */
  pieces: Uint8Array[];
  /** Leave the response open after the pieces (a server that stalls half-way). */
  stall?: boolean;
}

/** Splits `body`'s UTF-8 bytes every `size` bytes (mid-line, mid-JSON), and once inside the first "—" (3 bytes). */
function split(body: string, size: number): Uint8Array[] {
  const bytes = Buffer.from(body, 'utf8');
  const cuts = new Set(Array.from({ length: Math.ceil(bytes.length / size) }, (_, index) => index * size));
  const dash = bytes.indexOf(Buffer.from('—'));
  if (dash >= 0) cuts.add(dash + 1);
  const starts = [...cuts].sort((a, b) => a - b);
  return starts.map((start, index) => bytes.subarray(start, starts[index + 1] ?? bytes.length));
}
const sse = { 'Content-Type': 'text/event-stream; charset=utf-8' };
const json = { 'Content-Type': 'application/json' };

// vLLM's chunk lines as vllm-project/vllm#35705 recorded them (vLLM 0.9.2 and 0.15, `vllm serve` of Qwen3-8B):
// model_dump_json(exclude_unset=True), so a delta holds only the fields set. With `--reasoning-parser` the
// thinking arrives as `reasoning_content` deltas of the same shape (vLLM's docs, "Reasoning Outputs"); vLLM ends
// every stream with `data: [DONE]` (serving_chat.py, chat_completion_stream_generator).
const vllmChunk = (delta: string, finish: string | null = null) =>
  `data: {"id":"chatcmpl-8b2b91720edd4372b0579e89255b4828","object":"chat.completion.chunk","created":1772423572,"model":"qwen3_8b","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`;
const VLLM_REASONING_STREAM =
  vllmChunk('{"role":"assistant","content":""}') +
  vllmChunk('{"reasoning_content":"Glands lined by atypical"}') +
  vllmChunk('{"reasoning_content":" columnar cells — mucin."}') +
  vllmChunk('{"content":"\\n\\n<answer>Adenocarcinoma"}') +
  vllmChunk('{"content":"</answer>"}', 'stop') +
  'data: {"id":"chatcmpl-8b2b91720edd4372b0579e89255b4828","object":"chat.completion.chunk","created":1772423572,"model":"qwen3_8b","choices":[],"usage":{"prompt_tokens":35,"total_tokens":41,"completion_tokens":6}}\n\n' +
  'data: [DONE]\n\n';

// SGLang's chunk lines as sgl-project/sglang#19895 recorded them (every delta field present, null when unset,
// "system_fingerprint"), and as sgl-project/sglang#7599 logged DeepSeek-R1 with `--reasoning-parser`: a first
// delta with content "" and reasoning_content null, "matched_stop", and the usage in a last chunk with no choices.
const sglangChunk = (content: string | null, reasoning: string | null, finish: string | null = null) =>
  `data: {"id":"chatcmpl-019cb7c3-f422-7430-a1c7-f8dd85d909c2","object":"chat.completion.chunk","created":1772609598,"model":"/models/Patho-R1-7B","system_fingerprint":"default","choices":[{"index":0,"delta":{"role":"assistant","content":${JSON.stringify(content)},"reasoning_content":${JSON.stringify(reasoning)},"tool_calls":null},"logprobs":null,"finish_reason":${JSON.stringify(finish)},"matched_stop":${finish === 'stop' ? 151645 : 'null'}}],"usage":null}\n\n`;
const SGLANG_REASONING_STREAM =
  sglangChunk('', null) +
  sglangChunk(null, 'Nests of cells') +
  sglangChunk(null, ' with keratin pearls.') +
  sglangChunk('<answer>Squamous', null) +
  sglangChunk(' cell carcinoma</answer>', null, 'stop') +
  'data: {"id":"chatcmpl-019cb7c3-f422-7430-a1c7-f8dd85d909c2","object":"chat.completion.chunk","created":1772609598,"model":"/models/Patho-R1-7B","system_fingerprint":"default","choices":[],"usage":{"prompt_tokens":120,"total_tokens":129,"completion_tokens":9}}\n\n' +
  'data: [DONE]\n\n';

// vLLM's error event in the middle of a stream (serving_chat.py: create_streaming_error_response writes
// json.dumps({"error": ErrorResponse.model_dump()}), then [DONE]).
const VLLM_STREAM_ERROR =
  vllmChunk('{"role":"assistant","content":""}') +
  vllmChunk('{"content":"<think>The nuclei"}') +
  'data: {"error": {"object": "error", "message": "CUDA out of memory. Tried to allocate 2.00 GiB", "type": "InternalServerError", "param": null, "code": 500}}\n\n' +
  'data: [DONE]\n\n';

const RECORDED: Record<string, Recorded> = {
  'vllm-stream': { status: 200, headers: sse, pieces: split(VLLM_REASONING_STREAM, 37) },
  'sglang-stream': { status: 200, headers: sse, pieces: split(SGLANG_REASONING_STREAM, 53) },
  'vllm-stream-error': { status: 200, headers: sse, pieces: split(VLLM_STREAM_ERROR, 41) },
  // vLLM and SGLang started with --api-key: their middleware answers a wrong or missing key with this body
  // (vllm/entrypoints/openai/api_server.py build_app, JSONResponse(content={"error": "Unauthorized"},
  // status_code=401); sglang/srt/utils.py add_api_key_middleware, the same with ORJSONResponse).
  'wrong-key': { status: 401, headers: json, pieces: split('{"error":"Unauthorized"}', 1000) },
  // vLLM's unknown model, as vllm-project/vllm#3485 recorded it.
  'vllm-404': {
    status: 404,
    headers: json,
    pieces: split('{"object":"error","message":"The model `Qwen1.5-14B-Chat-GPTQ-Int8` does not exist.","type":"NotFoundError","param":null,"code":404}', 1000),
  },
  // A rate limit in OpenAI's error shape (what gateways in front of vLLM/SGLang, and OpenAI itself, send), with
  // the Retry-After header the sentence reads.
  'busy-429': {
    status: 429,
    headers: { ...json, 'Retry-After': '20' },
    pieces: split('{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}', 1000),
  },
  // vLLM's 404 body cut off half-way by a server that then goes quiet.
  'stalled-error': {
    status: 404,
    headers: { ...json, 'Content-Length': '140' },
    pieces: split('{"object":"error","message":"The model', 1000),
    stall: true,
  },
};

describe('recorded vLLM and SGLang responses through the remote engine', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { path: string; authorization: string | undefined; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', async () => {
        // The recording to replay is named in the model field (the URL is the engine's own).
        const name = (JSON.parse(body) as { model: string }).model;
        seen.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
        const recorded = RECORDED[name]!;
        response.writeHead(recorded.status, recorded.headers);
        for (const piece of recorded.pieces) {
          response.write(piece);
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (recorded.stall) request.socket.once('close', () => response.destroy());
        else response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const request = {
    messages: buildPathoR1Messages([{ question: 'What is the most likely diagnosis?', withImage: false }]),
    images: [],
    settings: { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: 32 },
  };
  const ask = (model: string, apiKey?: string, timeoutMs?: number) => {
    const pieces: string[] = [];
    const engine = createOpenAiCompatibleEngine({ baseUrl, model, ...(apiKey ? { apiKey } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
    return engine.generate(request, { onText: (text) => pieces.push(text) }).then(
      (outcome) => ({ outcome, pieces, error: null }),
      (error: unknown) => ({ outcome: null, pieces, error: error as InferenceError }),
    );
  };

  it("reads vLLM's reasoning_content stream to [DONE], the thinking put back in think tags", async () => {
    const { outcome, pieces } = await ask('vllm-stream', 'sk-department');
    expect(outcome?.text).toBe('<think>Glands lined by atypical columnar cells — mucin.</think>\n\n<answer>Adenocarcinoma</answer>');
    expect(pieces.join('')).toBe(outcome?.text);
    expect(outcome?.stopped).toBe(false);
    expect(outcome?.stats.newTokens).toBe(6); // the server's usage count
    expect(seen.at(-1)).toMatchObject({ path: '/v1/chat/completions', authorization: 'Bearer sk-department' });
  });

  it("reads SGLang's stream (null fields, matched_stop, usage after the last choice)", async () => {
    const { outcome } = await ask('sglang-stream');
    expect(outcome?.text).toBe('<think>Nests of cells with keratin pearls.</think><answer>Squamous cell carcinoma</answer>');
    expect(outcome?.stats.newTokens).toBe(9);
    expect(seen.at(-1)?.authorization).toBeUndefined();
  });

  it("keeps the text before vLLM's error event and says the server stopped the answer", async () => {
    const { error, pieces } = await ask('vllm-stream-error');
    expect(error?.kind).toBe('remote-stream-cut');
    expect(error?.message).toBe(
      `The server at ${baseUrl}/v1 stopped the answer with an error ("CUDA out of memory. Tried to allocate 2.00 GiB"). The text so far is kept`,
    );
    expect(pieces.join('')).toBe('<think>The nuclei');
  });

  it('says a wrong key was refused (vLLM/SGLang --api-key)', async () => {
    const { error } = await ask('wrong-key', 'sk-wrong');
    expect(error?.kind).toBe('remote-auth');
    expect(error?.message).toBe(
      `The server at ${baseUrl}/v1 refused the API key (HTTP 401) (the server said: "Unauthorized"). Check the key in the Models tab`,
    );
    expect(error?.message).not.toContain('sk-wrong');
  });

  it("names vLLM's unknown model", async () => {
    const { error } = await ask('vllm-404');
    expect(error?.kind).toBe('remote-model');
    expect(error?.message).toContain('has no model "vllm-404"');
    expect(error?.message).toContain('The model `Qwen1.5-14B-Chat-GPTQ-Int8` does not exist');
  });

  it('says when to ask again after a 429 with Retry-After', async () => {
    const { error } = await ask('busy-429');
    expect(error?.kind).toBe('remote-rate-limit');
    expect(error?.message).toBe(`The server at ${baseUrl}/v1 is busy (HTTP 429) (the server said: "Rate limit reached for requests"). Ask again in 20 s`);
  });

  it('says the server went quiet when an error body stops half-way (not a raw abort)', async () => {
    const { error } = await ask('stalled-error', undefined, 300);
    expect(error).toBeInstanceOf(InferenceError);
    expect(error?.kind).toBe('remote-timeout');
    expect(error?.message).toContain('sent nothing for 300 ms');
  });
});
