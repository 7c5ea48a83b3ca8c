/**
 * Reads an OpenAI-compatible chat-completions reply — streamed server-sent events or one JSON body — into the
 * text Patho-R1's `<think>`/`<answer>` parser reads. Servers differ: vLLM and SGLang end with `data: [DONE]`,
 * `transformers serve` just closes the stream; reasoning comes inline as `<think>…</think>`, or in a separate
 * `reasoning_content` (vLLM, SGLang, transformers serve) or `reasoning` field, which is put back between think tags
 * so every server's answer reads the same. SSE framing is parsed by eventsource-parser.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';

export interface ReplyPiece {
  /** Text to append to the reply, with reasoning already wrapped in think tags. */
  text: string;
  /** Whether the piece carried new model output (a token, roughly: servers send one per event). */
  isToken: boolean;
}

export interface ReplyUsage {
  promptTokens: number;
  completionTokens: number;
}

/** One parsed event of the stream. */
export type StreamEvent = { kind: 'piece'; piece: ReplyPiece } | { kind: 'usage'; usage: ReplyUsage } | { kind: 'done' } | { kind: 'error'; message: string };

/** Puts a separately sent reasoning back between `<think>` tags, once, before the answer text. */
export class ReasoningReassembler {
  private state: 'none' | 'open' | 'closed' = 'none';

  piece(reasoning: string | undefined, content: string | undefined): string {
    let text = '';
    if (reasoning) {
      if (this.state === 'none') text += '<think>';
      this.state = 'open';
      text += reasoning;
    }
    if (content) {
      if (this.state === 'open') {
        text += '</think>';
        this.state = 'closed';
      }
      text += content;
    }
    return text;
  }

  /** Closes a reasoning that was still open when the reply ended. */
  end(): string {
    if (this.state !== 'open') return '';
    this.state = 'closed';
    return '</think>';
  }
}

interface ChoiceMessage {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
}

interface CompletionJson {
  choices?: { delta?: ChoiceMessage; message?: ChoiceMessage; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string } | string;
  object?: string;
  message?: string;
  detail?: unknown;
}

function text(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The error message a JSON body carries, in OpenAI's, vLLM's older, or FastAPI's shape; null when it carries none. */
export function errorInJson(json: unknown): string | null {
  if (!json || typeof json !== 'object') return null;
  const body = json as CompletionJson;
  if (typeof body.error === 'string') return body.error;
  if (body.error && typeof body.error === 'object') return body.error.message ?? JSON.stringify(body.error);
  if (body.object === 'error' && typeof body.message === 'string') return body.message;
  if (body.detail !== undefined && body.choices === undefined) return typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
  return null;
}

function usageOf(body: CompletionJson): ReplyUsage | null {
  const usage = body.usage;
  if (!usage || typeof usage.completion_tokens !== 'number') return null;
  return { promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens };
}

/** Incremental reader of an SSE chat-completions stream: feed decoded text, get events in order. */
export class CompletionStreamReader {
  private readonly parser: EventSourceParser;
  private readonly reasoning = new ReasoningReassembler();
  private events: StreamEvent[] = [];
  private finished = false;

  constructor() {
    this.parser = createParser({
      onEvent: (message) => this.onData(message.data),
      onError: (error) => this.events.push({ kind: 'error', message: `the server sent a malformed event (${error.message})` }),
    });
  }

  feed(chunk: string): StreamEvent[] {
    this.parser.feed(chunk);
    return this.take();
  }

  /** The stream closed: flush a last event without its blank line, and close an open reasoning. */
  end(): StreamEvent[] {
    this.parser.feed('\n\n');
    const closing = this.reasoning.end();
    if (closing) this.events.push({ kind: 'piece', piece: { text: closing, isToken: false } });
    return this.take();
  }

  get sawDone(): boolean {
    return this.finished;
  }

  /** Whether the server said the answer is complete ([DONE] or a finish_reason): a close without it is a cut. */
  get sawEnd(): boolean {
    return this.finished || this.finishReason !== null;
  }

  private finishReason: string | null = null;

  private take(): StreamEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  private onData(data: string): void {
    if (data.trim() === '[DONE]') {
      this.finished = true;
      this.events.push({ kind: 'done' });
      return;
    }
    let body: CompletionJson;
    try {
      body = JSON.parse(data) as CompletionJson;
    } catch {
      this.events.push({ kind: 'error', message: `the server sent an event that is not JSON: ${data.slice(0, 120)}` });
      return;
    }
    const error = errorInJson(body);
    if (error !== null) {
      this.events.push({ kind: 'error', message: error });
      return;
    }
    const finishReason = body.choices?.[0]?.finish_reason;
    if (typeof finishReason === 'string') this.finishReason = finishReason;
    const delta = body.choices?.[0]?.delta;
    if (delta) {
      const piece = this.reasoning.piece(text(delta.reasoning_content) ?? text(delta.reasoning), text(delta.content));
      if (piece) this.events.push({ kind: 'piece', piece: { text: piece, isToken: true } });
    }
    const usage = usageOf(body);
    if (usage) this.events.push({ kind: 'usage', usage });
  }
}

/** The reply of a non-streamed request (`stream: false`), with reasoning wrapped the same way. */
export function replyFromCompletion(json: unknown): { text: string; usage: ReplyUsage | null } {
  const error = errorInJson(json);
  if (error !== null) throw new Error(error);
  const body = json as CompletionJson;
  const message = body.choices?.[0]?.message;
  if (!message) throw new Error('the server answered without a message (no choices[0].message)');
  const reasoning = new ReasoningReassembler();
  const reply = reasoning.piece(text(message.reasoning_content) ?? text(message.reasoning), text(message.content)) + reasoning.end();
  return { text: reply, usage: usageOf(body) };
}
