/**
 * The stream reader on byte streams in the shapes servers send (written here from their documented formats):
 * vLLM/SGLang with `data: [DONE]`, reasoning in `reasoning_content` or `reasoning`, transformers serve without
 * [DONE], error events, and bodies split at arbitrary points. The real server is tested in transformers-serve.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { InferenceError } from '../../../src/inference/inference-error';
import { CompletionStreamReader, replyFromCompletion, type StreamEvent } from '../../../src/inference/remote/openai-stream';
import { apiRoot } from '../../../src/inference/remote/openai-engine';
import { httpError, retryAfterSeconds, serverMessage } from '../../../src/inference/remote/remote-errors';
import { samplingFields, toOpenAiMessages } from '../../../src/inference/remote/openai-request';
import { DEFAULT_GENERATION_SETTINGS } from '../../../src/inference/generation-settings';

function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

/** Feeds `body` in pieces of `size` characters and joins the reply text. */
function read(body: string, size: number): { text: string; events: StreamEvent[]; reader: CompletionStreamReader } {
  const reader = new CompletionStreamReader();
  const events: StreamEvent[] = [];
  for (let start = 0; start < body.length; start += size) events.push(...reader.feed(body.slice(start, start + size)));
  events.push(...reader.end());
  const text = events.map((event) => (event.kind === 'piece' ? event.piece.text : '')).join('');
  return { text, events, reader };
}

describe('CompletionStreamReader', () => {
  const vllm =
    chunk({ role: 'assistant', content: '' }) +
    chunk({ reasoning_content: 'Glands' }) +
    chunk({ reasoning_content: ' with mucin.' }) +
    chunk({ content: '<answer>Adeno' }) +
    chunk({ content: 'carcinoma</answer>' }, 'stop') +
    `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 90, completion_tokens: 4 } })}\n\n` +
    'data: [DONE]\n\n';

  for (const size of [1, 7, 64, vllm.length]) {
    it(`puts vLLM's reasoning_content back in think tags, fed ${size} characters at a time`, () => {
      const { text, events, reader } = read(vllm, size);
      expect(text).toBe('<think>Glands with mucin.</think><answer>Adenocarcinoma</answer>');
      expect(events).toContainEqual({ kind: 'usage', usage: { promptTokens: 90, completionTokens: 4 } });
      expect(reader.sawDone).toBe(true);
      expect(events.filter((event) => event.kind === 'piece' && event.piece.isToken)).toHaveLength(4);
    });
  }

  it('reads the `reasoning` field (newer vLLM) and inline think tags alike', () => {
    expect(read(chunk({ reasoning: 'R' }) + chunk({ content: 'A' }, 'stop'), 5).text).toBe('<think>R</think>A');
    expect(read(chunk({ content: '<think>R</think>' }) + chunk({ content: '<answer>A</answer>' }, 'stop'), 3).text).toBe('<think>R</think><answer>A</answer>');
  });

  it('ends on a finish_reason without [DONE] (transformers serve), and knows a close without either is a cut', () => {
    const complete = read(chunk({ content: 'a' }) + chunk({ content: 'b' }, 'length'), 4);
    expect(complete.reader.sawDone).toBe(false);
    expect(complete.reader.sawEnd).toBe(true);
    const cut = read(chunk({ content: 'a' }) + chunk({ content: 'b' }), 4);
    expect(cut.reader.sawEnd).toBe(false);
  });

  it('closes a reasoning still open when the stream ends', () => {
    expect(read(chunk({ reasoning_content: 'half a thought' }), 10).text).toBe('<think>half a thought</think>');
  });

  it('turns error events in every shape into an error', () => {
    for (const body of [
      `data: ${JSON.stringify({ error: { message: 'CUDA out of memory', type: 'InternalServerError', code: 500 } })}\n\n`,
      `data: ${JSON.stringify({ object: 'error', message: 'CUDA out of memory', code: 500 })}\n\n`,
      `data: ${JSON.stringify({ detail: 'CUDA out of memory' })}\n\n`,
    ]) {
      expect(read(chunk({ content: 'a' }) + body, 9).events.at(-1)).toEqual({ kind: 'error', message: 'CUDA out of memory' });
    }
    expect(read('data: {not json\n\n', 4).events[0]?.kind).toBe('error');
  });
});

describe('unstreamed replies', () => {
  it('wraps a separate reasoning the same way', () => {
    const body = {
      choices: [{ message: { role: 'assistant', reasoning_content: 'R', content: '<answer>A</answer>' } }],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    };
    expect(replyFromCompletion(body)).toEqual({ text: '<think>R</think><answer>A</answer>', usage: { promptTokens: 3, completionTokens: 2 } });
    expect(() => replyFromCompletion({ detail: 'model not found' })).toThrow('model not found');
  });
});

describe('request and error sentences', () => {
  it('normalises the server address to its /v1 root', () => {
    expect(apiRoot('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000/v1');
    expect(apiRoot('http://127.0.0.1:8000/v1/')).toBe('http://127.0.0.1:8000/v1');
    expect(apiRoot(' https://gpu.hospital.example/patho/ ')).toBe('https://gpu.hospital.example/patho/v1');
    expect(() => apiRoot('127.0.0.1:8000')).toThrow(/not an http\(s\) address|not a server address/);
  });

  it('sends a follow-up with every earlier turn, the answer given as plain text', () => {
    const messages = toOpenAiMessages(
      [
        { role: 'system', content: [{ type: 'text', text: 'S' }] },
        { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'What is this?' }] },
        { role: 'assistant', content: [{ type: 'text', text: '<think>R</think><answer>A</answer>' }] },
        { role: 'user', content: [{ type: 'text', text: 'Why?' }] },
      ],
      ['data:1'],
    );
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[2]).toEqual({ role: 'assistant', content: '<think>R</think><answer>A</answer>' });
    expect(messages[3]?.content).toEqual([{ type: 'text', text: 'Why?' }]);
  });

  it("sends the Ask panel's sampling settings under the servers' names; greedy as temperature 0", () => {
    expect(samplingFields({ ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: 64 })).toEqual({ max_tokens: 64, temperature: 0 });
    expect(
      samplingFields({ ...DEFAULT_GENERATION_SETTINGS, sample: true, temperature: 0.6, topP: 0.95, topK: 20, repetitionPenalty: 1.05, maxNewTokens: 512 }),
    ).toEqual({
      max_tokens: 512,
      temperature: 0.6,
      top_p: 0.95,
      top_k: 20,
      repetition_penalty: 1.05,
    });
    expect(samplingFields({ ...DEFAULT_GENERATION_SETTINGS, sample: true, topK: 0 })).not.toHaveProperty('top_k');
  });

  it('fills image slots in order and refuses a mismatch', () => {
    const messages = toOpenAiMessages(
      [
        { role: 'system', content: [{ type: 'text', text: 'S' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Region 1:' },
            { type: 'image' },
            { type: 'text', text: 'Region 2:' },
            { type: 'image' },
            { type: 'text', text: 'Q' },
          ],
        },
      ],
      ['data:1', 'data:2'],
    );
    expect(messages[0]).toEqual({ role: 'system', content: 'S' });
    expect(messages[1]?.content).toEqual([
      { type: 'text', text: 'Region 1:' },
      { type: 'image_url', image_url: { url: 'data:1' } },
      { type: 'text', text: 'Region 2:' },
      { type: 'image_url', image_url: { url: 'data:2' } },
      { type: 'text', text: 'Q' },
    ]);
    expect(() => toOpenAiMessages([{ role: 'user', content: [{ type: 'image' }] }], [])).toThrow(InferenceError);
  });

  it('says what an HTTP failure means, quoting the server in its own shape', () => {
    const context = { baseUrl: 'http://gpu:8000/v1', model: 'patho-r1-7b', retryAfter: null };
    const auth = httpError(401, JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }), context);
    expect(auth.kind).toBe('remote-auth');
    expect(auth.message).toContain('Incorrect API key provided');
    expect(httpError(404, JSON.stringify({ object: 'error', message: 'The model `x` does not exist.' }), context).kind).toBe('remote-model');
    const busy = httpError(429, 'Too Many Requests', { ...context, retryAfter: '7' });
    expect(busy.kind).toBe('remote-rate-limit');
    expect(busy.message).toMatch(/Ask again in 7 s/);
    expect(httpError(500, '<html>Internal Server Error</html>', context).kind).toBe('remote-server');
    expect(serverMessage(JSON.stringify({ detail: [{ msg: 'field required' }] }))).toContain('field required');
    expect(retryAfterSeconds('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30);
  });
});
