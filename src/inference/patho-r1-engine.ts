/**
 * The one shape every Patho-R1 answerer has (as web-llm's MLCEngineInterface): the worker client in the
 * browser, the in-thread engine in Node (tests, CLI, benchmarks), and later a remote OpenAI-compatible server.
 * Features talk to this interface only, never to a worker or a runtime.
 */
import type { RgbaImage } from '../slide/slide-source';
import type { GenerationSettings } from './generation-settings';
import type { ChatMessage } from './patho-r1-prompt';

/** One answer to stream: the chat (Patho-R1's format), one image per image slot, and the sampling settings. */
export interface PathoR1GenerateRequest {
  messages: ChatMessage[];
  images: RgbaImage[];
  settings: GenerationSettings;
  /** The conversation and the number of answered turns before this one (follow-ups reuse the KV cache). */
  conversation?: { id: string; turn: number };
}

export interface PathoR1GenerateCallbacks {
  /** Each newly decoded piece of text, in order. */
  onText?(text: string): void;
  /** The number of new tokens so far, once per token. */
  onToken?(newTokens: number): void;
  /** Stops the answer; the outcome then says `stopped` and keeps the text so far. */
  signal?: AbortSignal;
}

export interface GenerationStats {
  promptTokens: number;
  /** Prompt tokens taken from the previous turn's KV cache instead of being encoded again. */
  reusedTokens: number;
  newTokens: number;
  /** From the generate request to the first new token. */
  timeToFirstTokenMs: number | null;
  /** New tokens after the first, per second of decoding. */
  tokensPerSecond: number | null;
  /** Where the time went, from the model's session runs (local engines only; a server does not say). */
  phases?: { imageMs: number; embedMs: number; prefillMs: number; decodeMs: number; decodeRuns: number };
  /** The image was read (vision tower) before the question, so the time to first token did not include it. */
  imagePreRead?: boolean;
  /** Prompt tokens before the question (system turn + image) prefilled when the image was read ahead. */
  prefixPreReadTokens?: number;
}

export interface GenerationOutcome {
  /** Ids of the generated tokens only (prompt excluded; empty where a server does not report ids). */
  newTokenIds: number[];
  text: string;
  stopped: boolean;
  stats: GenerationStats;
}

export interface PathoR1Engine {
  /** Streams one answer; rejects with an InferenceError (its `kind` says what kind of failure). */
  generate(request: PathoR1GenerateRequest, callbacks?: PathoR1GenerateCallbacks): Promise<GenerationOutcome>;
}

/** Measures time to first token and decode speed from token arrival times. */
export class TokenClock {
  private readonly startedAt: number;
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  count = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
  }

  tick(): void {
    const at = this.now();
    if (this.firstAt === null) this.firstAt = at;
    this.lastAt = at;
    this.count++;
  }

  stats(promptTokens: number, reusedTokens = 0): GenerationStats {
    const timeToFirstTokenMs = this.firstAt === null ? null : this.firstAt - this.startedAt;
    const decodeMs = this.firstAt !== null && this.lastAt !== null ? this.lastAt - this.firstAt : 0;
    const tokensPerSecond = this.count > 1 && decodeMs > 0 ? ((this.count - 1) * 1000) / decodeMs : null;
    return { promptTokens, reusedTokens, newTokens: this.count, timeToFirstTokenMs, tokensPerSecond };
  }
}
