/**
 * Messages between the main thread and the Patho-R1 inference worker. Plain data only (structured clone);
 * image pixels travel as transferable buffers.
 */
import type { ChatMessage } from './patho-r1-prompt';
import type { RgbaImage } from '../slide/slide-source';
import type { GenerationSettings } from './generation-settings';
import type { ModelDtype } from './model-manifest';
import type { InferenceDevice } from './patho-r1-runtime';

export interface LoadRequest {
  type: 'load';
  requestId: number;
  /** Same-origin path of the folder holding model directories, e.g. "/models/tiny/" (transformers.js treats
   * a full URL as a remote hub, not a local folder). */
  modelRoot: string;
  modelName: string;
  dtype: ModelDtype;
  device: InferenceDevice;
  /** ONNX Runtime WASM threads (1 when the page is not cross-origin isolated). */
  wasmThreads: number;
}

export interface GenerateRequest {
  type: 'generate';
  requestId: number;
  messages: ChatMessage[];
  images: RgbaImage[];
  settings: GenerationSettings;
  /** Int32Array over a SharedArrayBuffer; the main thread stores 1 at index 0 to stop (null when not isolated). */
  stopFlag: Int32Array | null;
  /** The conversation and the number of answered turns before this one (follow-ups reuse the KV cache). */
  conversation: { id: string; turn: number } | null;
}

export interface StopRequest {
  type: 'stop';
  /** The load or generate request to cancel. */
  requestId: number;
}

export type WorkerRequest = LoadRequest | GenerateRequest | StopRequest;

export interface GenerationStats {
  promptTokens: number;
  /** Prompt tokens taken from the previous turn's KV cache instead of being encoded again. */
  reusedTokens: number;
  newTokens: number;
  /** From the generate request to the first new token. */
  timeToFirstTokenMs: number | null;
  /** New tokens after the first, per second of decoding. */
  tokensPerSecond: number | null;
}

export type WorkerEvent =
  | { type: 'load-progress'; requestId: number; file: string; loadedBytes: number; totalBytes: number; fromCache: boolean }
  | { type: 'loaded'; requestId: number; dtype: ModelDtype; device: InferenceDevice }
  | { type: 'text'; requestId: number; text: string }
  | { type: 'token'; requestId: number; newTokens: number }
  | { type: 'done'; requestId: number; newTokenIds: number[]; text: string; stopped: boolean; stats: GenerationStats }
  | { type: 'error'; requestId: number; message: string };

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
