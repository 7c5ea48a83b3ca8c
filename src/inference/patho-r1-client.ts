/**
 * Main-thread handle on the Patho-R1 worker, a PathoR1Engine: promises for load/generate, callbacks for
 * progress and streamed text, and stop. One worker per model; requests are numbered so late events of an old
 * request are ignored. Errors arrive as InferenceErrors with the kind the worker gave them.
 */
import { InferenceError, deserializeInferenceError } from './inference-error';
import type { GenerationOutcome, PathoR1Engine, PathoR1GenerateCallbacks, PathoR1GenerateRequest } from './patho-r1-engine';
import {
  unhandledMessage,
  type LoadOptions,
  type LoadProgress,
  type LoadedModel,
  type PreReadResult,
  type WorkerEvent,
  type WorkerRequest,
} from './worker-protocol';
import type { RgbaImage } from '../slide/slide-source';
import type { PromptOptions } from './patho-r1-prompt';

export type { GenerationOutcome } from './patho-r1-engine';
export type { LoadProgress, LoadedModel, PreReadResult } from './worker-protocol';

/** Omit applied to each member of a union (plain Omit would keep only the members' common fields). */
type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

type Pending = {
  resolve(event: WorkerEvent): void;
  reject(error: Error): void;
  onEvent(event: WorkerEvent): void;
};

export class PathoR1Client implements PathoR1Engine {
  private readonly worker: Worker;
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(worker?: Worker) {
    this.worker = worker ?? new Worker(new URL('./patho-r1.worker.ts', import.meta.url), { type: 'module', name: 'patho-r1' });
    this.worker.addEventListener('message', (message: MessageEvent<WorkerEvent>) => this.dispatch(message.data));
    this.worker.addEventListener('error', (event) => {
      this.rejectAll(
        new InferenceError('worker-crashed', `The inference worker crashed (${event.message || 'no detail'}). Reload the model in the Models tab.`),
      );
    });
  }

  /**
   * Downloads/verifies the files (progress per file, in bytes) and creates the sessions; `signal` cancels. Resolves
   * with what ONNX Runtime really runs (the WASM threads it started, which may be fewer than asked for).
   */
  async load(options: LoadOptions, onProgress?: (progress: LoadProgress) => void, signal?: AbortSignal): Promise<LoadedModel> {
    const requestId = this.nextRequestId; // request() below takes exactly this id
    const onAbort = () => this.post({ type: 'stop', requestId });
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const loaded = await this.request({ type: 'load', ...options }, (event) => {
        if (event.type === 'load-progress') {
          onProgress?.({ file: event.file, loadedBytes: event.loadedBytes, totalBytes: event.totalBytes, fromCache: event.fromCache });
        }
      });
      if (loaded.type !== 'loaded') throw new InferenceError('runtime', 'The inference worker answered out of order.');
      return { dtype: loaded.dtype, device: loaded.device, wasmThreads: loaded.wasmThreads, speed: loaded.speed };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async generate(request: PathoR1GenerateRequest, callbacks: PathoR1GenerateCallbacks = {}): Promise<GenerationOutcome> {
    const requestId = this.nextRequestId; // request() below takes exactly this id
    // Shared memory reaches the worker even while its WASM generation loop keeps the event loop busy.
    const stopFlag = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const onAbort = () => {
      if (stopFlag) Atomics.store(stopFlag, 0, 1);
      this.post({ type: 'stop', requestId });
    };
    callbacks.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const done = await this.request(
        {
          type: 'generate',
          messages: request.messages,
          images: request.images,
          settings: request.settings,
          conversation: request.conversation ?? null,
          stopFlag,
        },
        (event) => {
          if (event.type === 'text') callbacks.onText?.(event.text);
          else if (event.type === 'token') callbacks.onToken?.(event.newTokens);
        },
        request.images.map((image) => image.data.buffer as ArrayBuffer),
      );
      if (done.type !== 'done') throw new InferenceError('runtime', 'The inference worker answered out of order.');
      return { newTokenIds: done.newTokenIds, text: done.text, stopped: done.stopped, stats: done.stats };
    } finally {
      callbacks.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Reads `images` (the vision tower) ahead of a question about them; their buffers move to the worker. Resolves
   * when read, or with why not ('replaced' by a newer region, 'busy' answering); an answer about the same pixels
   * then starts at the prompt.
   */
  async preRead(images: RgbaImage[], prompt?: PromptOptions | null): Promise<PreReadResult> {
    const done = await this.request(
      { type: 'pre-read', images, ...(prompt !== undefined && { prompt }) },
      () => undefined,
      images.map((image) => image.data.buffer as ArrayBuffer),
    );
    if (done.type !== 'pre-read-done') throw new InferenceError('runtime', 'The inference worker answered out of order.');
    return done.result;
  }

  terminate(): void {
    this.worker.terminate();
    this.rejectAll(new InferenceError('unloaded', 'The model was unloaded.'));
  }

  private rejectAll(error: InferenceError): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private request(
    message: WithoutRequestId<Extract<WorkerRequest, { type: 'load' | 'generate' | 'pre-read' }>>,
    onEvent: (event: WorkerEvent) => void,
    transfer: Transferable[] = [],
  ): Promise<WorkerEvent> {
    const requestId = this.nextRequestId++;
    return new Promise<WorkerEvent>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, onEvent });
      this.post({ ...message, requestId } as WorkerRequest, transfer);
    });
  }

  private post(message: WorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private dispatch(event: WorkerEvent): void {
    const pending = this.pending.get(event.requestId);
    if (!pending) return;
    switch (event.type) {
      case 'error':
        this.pending.delete(event.requestId);
        pending.reject(deserializeInferenceError(event.error));
        return;
      case 'loaded':
      case 'done':
      case 'pre-read-done':
        this.pending.delete(event.requestId);
        pending.resolve(event);
        return;
      case 'load-progress':
      case 'text':
      case 'token':
        pending.onEvent(event);
        return;
      default:
        unhandledMessage(event);
    }
  }
}
