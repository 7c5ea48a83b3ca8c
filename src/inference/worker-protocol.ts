/**
 * Messages between the main thread and the Patho-R1 inference worker. Plain data only (structured clone);
 * image pixels travel as transferable buffers. Requests and events are derived from the engine's types, so a
 * generate request is described once (patho-r1-engine.ts).
 */
import type { SerializedInferenceError } from './inference-error';
import type { ModelDtype } from './model-manifest';
import type { GenerationOutcome, PathoR1GenerateRequest } from './patho-r1-engine';
import type { InferenceDevice } from './patho-r1-runtime';
import type { SpeedSample } from './first-token-estimate';
import type { RgbaImage } from '../slide/slide-source';
import type { PreReadOutcome } from './image-pre-read';
import type { PromptOptions } from './patho-r1-prompt';

export { TokenClock, type GenerationStats } from './patho-r1-engine';

/** Where a model folder is and how to run it. */
export interface LoadOptions {
  /** Same-origin path of the folder holding model directories, e.g. "/models/tiny/" (transformers.js treats
   * a full URL as a remote hub, not a local folder). */
  modelRoot: string;
  modelName: string;
  dtype: ModelDtype;
  device: InferenceDevice;
  /** ONNX Runtime WASM threads (1 when the page is not cross-origin isolated). */
  wasmThreads: number;
}

/** What the worker loaded and how ONNX Runtime really runs it (read back after the sessions exist). */
export interface LoadedModel {
  dtype: ModelDtype;
  device: InferenceDevice;
  /**
   * Threads ONNX Runtime WASM runs with, read from ort.env.wasm.numThreads after its initialisation (it falls back
   * to 1 when the worker cannot share memory); null on WebGPU, where the GPU does the work.
   */
  wasmThreads: number | null;
  /** On the processor: a short measurement after loading, for the time-to-first-token estimate (null on WebGPU). */
  speed: SpeedSample | null;
}

export interface LoadProgress {
  file: string;
  loadedBytes: number;
  totalBytes: number;
  fromCache: boolean;
}

export type LoadRequest = { type: 'load'; requestId: number } & LoadOptions;

export type GenerateRequest = { type: 'generate'; requestId: number } & Omit<PathoR1GenerateRequest, 'conversation'> & {
    /** Int32Array over a SharedArrayBuffer; the main thread stores 1 at index 0 to stop (null when not isolated). */
    stopFlag: Int32Array | null;
    conversation: PathoR1GenerateRequest['conversation'] | null;
  };

/**
 * Read these images (the vision tower) before the question, and prefill the prompt up to them with the system prompt
 * of `prompt`'s options (null: the image only); the worker skips it while an answer runs.
 */
export type PreReadRequest = { type: 'pre-read'; requestId: number; images: RgbaImage[]; prompt?: PromptOptions | null };

/** How a pre-read ended; 'busy' when an answer was running (a pre-read never delays one). */
export type PreReadResult = PreReadOutcome | { kind: 'busy' };

export interface StopRequest {
  type: 'stop';
  /** The load or generate request to cancel. */
  requestId: number;
}

export type WorkerRequest = LoadRequest | GenerateRequest | PreReadRequest | StopRequest;

export type WorkerEvent =
  | ({ type: 'load-progress'; requestId: number } & LoadProgress)
  | ({ type: 'loaded'; requestId: number } & LoadedModel)
  | { type: 'text'; requestId: number; text: string }
  | { type: 'token'; requestId: number; newTokens: number }
  | ({ type: 'done'; requestId: number } & GenerationOutcome)
  | { type: 'pre-read-done'; requestId: number; result: PreReadResult }
  | { type: 'error'; requestId: number; error: SerializedInferenceError };

/** For exhaustive switches: a new message type that is not handled fails to compile. */
export function unhandledMessage(message: never): never {
  throw new Error(`Unknown message ${JSON.stringify(message)}`);
}
