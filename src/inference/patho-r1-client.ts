/**
 * Main-thread handle on the Patho-R1 worker: promises for load/generate, callbacks for progress and streamed
 * text, and stop. One worker per model; requests are numbered so late events of an old request are ignored.
 */
import type { ChatMessage } from './patho-r1-prompt';
import type { RgbaImage } from '../slide/slide-source';
import type { GenerationSettings } from './generation-settings';
import type { ModelDtype } from './model-manifest';
import type { InferenceDevice } from './patho-r1-runtime';
import type { GenerationStats, WorkerEvent, WorkerRequest } from './worker-protocol';

export interface LoadProgress {
  file: string;
  loadedBytes: number;
  totalBytes: number;
  fromCache: boolean;
}

export interface GenerationOutcome {
  newTokenIds: number[];
  text: string;
  stopped: boolean;
  stats: GenerationStats;
}

/** Omit applied to each member of a union (plain Omit would keep only the members' common fields). */
type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

type Pending = {
  resolve(event: WorkerEvent): void;
  reject(error: Error): void;
  onEvent(event: WorkerEvent): void;
};

export class PathoR1Client {
  private readonly worker: Worker;
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(worker?: Worker) {
    this.worker = worker ?? new Worker(new URL('./patho-r1.worker.ts', import.meta.url), { type: 'module', name: 'patho-r1' });
    this.worker.addEventListener('message', (message: MessageEvent<WorkerEvent>) => this.dispatch(message.data));
    this.worker.addEventListener('error', (event) => {
      const error = new Error(`The inference worker crashed (${event.message || 'no detail'}). Reload the model in the Models tab.`);
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    });
  }

  /** Downloads/verifies the files (progress per file, in bytes) and creates the sessions; `signal` cancels. */
  async load(
    options: { modelRoot: string; modelName: string; dtype: ModelDtype; device: InferenceDevice; wasmThreads: number },
    onProgress?: (progress: LoadProgress) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const requestId = this.nextRequestId; // request() below takes exactly this id
    const onAbort = () => this.post({ type: 'stop', requestId });
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.request({ type: 'load', ...options }, (event) => {
        if (event.type === 'load-progress') {
          onProgress?.({ file: event.file, loadedBytes: event.loadedBytes, totalBytes: event.totalBytes, fromCache: event.fromCache });
        }
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Streams one answer. `signal` stops it; the outcome then says `stopped` and keeps the text so far. */
  async generate(
    request: { messages: ChatMessage[]; images: RgbaImage[]; settings: GenerationSettings; conversation?: { id: string; turn: number } },
    callbacks: { onText?(text: string): void; onToken?(newTokens: number): void; signal?: AbortSignal } = {},
  ): Promise<GenerationOutcome> {
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
        { type: 'generate', ...request, conversation: request.conversation ?? null, stopFlag },
        (event) => {
          if (event.type === 'text') callbacks.onText?.(event.text);
          else if (event.type === 'token') callbacks.onToken?.(event.newTokens);
        },
        request.images.map((image) => image.data.buffer as ArrayBuffer),
      );
      if (done.type !== 'done') throw new Error('The inference worker answered out of order.');
      return { newTokenIds: done.newTokenIds, text: done.text, stopped: done.stopped, stats: done.stats };
    } finally {
      callbacks.signal?.removeEventListener('abort', onAbort);
    }
  }

  terminate(): void {
    this.worker.terminate();
    const error = new Error('The model was unloaded.');
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private request(
    message: WithoutRequestId<Extract<WorkerRequest, { type: 'load' | 'generate' }>>,
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
    if (event.type === 'error') {
      this.pending.delete(event.requestId);
      pending.reject(new Error(event.message));
    } else if (event.type === 'loaded' || event.type === 'done') {
      this.pending.delete(event.requestId);
      pending.resolve(event);
    } else {
      pending.onEvent(event);
    }
  }
}
