/**
 * Main-thread handle on the PathoCLIP worker, a PathoClipEngine: load with per-file progress, then embed
 * images and texts; each request can be cancelled and fails with a typed InferenceError.
 */
import type { RgbaImage } from '../slide/slide-source';
import { InferenceError, deserializeInferenceError } from './inference-error';
import type { PathoClipEngine, PathoClipModelInfo } from './pathoclip-engine';
import type { PathoClipLoadOptions, PathoClipWorkerEvent, PathoClipWorkerRequest } from './pathoclip-worker-protocol';
import { unhandledMessage, type LoadProgress } from './worker-protocol';

type Pending = { resolve(event: PathoClipWorkerEvent): void; reject(error: Error): void; onProgress?(progress: LoadProgress): void };

/** Omit applied to each member of a union. */
type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

export class PathoClipClient implements PathoClipEngine {
  private readonly worker: Worker;
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();
  private loadedInfo: PathoClipModelInfo | null = null;

  constructor(worker?: Worker) {
    this.worker = worker ?? new Worker(new URL('./pathoclip.worker.ts', import.meta.url), { type: 'module', name: 'pathoclip' });
    this.worker.addEventListener('message', (message: MessageEvent<PathoClipWorkerEvent>) => this.dispatch(message.data));
    this.worker.addEventListener('error', (event) => {
      this.rejectAll(
        new InferenceError('worker-crashed', `The PathoCLIP worker crashed (${event.message || 'no detail'}). Reload the model in the Models tab.`),
      );
    });
  }

  /** The loaded model's facts; throws when nothing is loaded yet. */
  get info(): PathoClipModelInfo {
    if (!this.loadedInfo) throw new InferenceError('not-loaded', 'PathoCLIP is not loaded: load it in the Models tab first.');
    return this.loadedInfo;
  }

  async load(options: PathoClipLoadOptions, onProgress?: (progress: LoadProgress) => void, signal?: AbortSignal): Promise<PathoClipModelInfo> {
    const event = await this.request({ type: 'load', ...options }, signal, onProgress);
    if (event.type !== 'loaded') throw new InferenceError('runtime', 'The PathoCLIP worker answered out of order.');
    this.loadedInfo = event.info;
    return event.info;
  }

  async embedImages(images: RgbaImage[], signal?: AbortSignal): Promise<Float32Array[]> {
    // The pixels are copied, not transferred: callers (a slide index, a thumbnail) often keep using them.
    return this.embeddings(await this.request({ type: 'embed-images', images }, signal));
  }

  async embedTexts(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return this.embeddings(await this.request({ type: 'embed-texts', texts }, signal));
  }

  terminate(): void {
    this.worker.terminate();
    this.loadedInfo = null;
    this.rejectAll(new InferenceError('unloaded', 'PathoCLIP was unloaded.'));
  }

  private embeddings(event: PathoClipWorkerEvent): Float32Array[] {
    if (event.type !== 'embeddings') throw new InferenceError('runtime', 'The PathoCLIP worker answered out of order.');
    return event.embeddings;
  }

  private rejectAll(error: InferenceError): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private request(
    message: WithoutRequestId<Exclude<PathoClipWorkerRequest, { type: 'stop' }>>,
    signal?: AbortSignal,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<PathoClipWorkerEvent> {
    if (signal?.aborted) return Promise.reject(new InferenceError('cancelled', 'The PathoCLIP request was cancelled.'));
    const requestId = this.nextRequestId++;
    const onAbort = () => this.worker.postMessage({ type: 'stop', requestId } satisfies PathoClipWorkerRequest);
    signal?.addEventListener('abort', onAbort, { once: true });
    return new Promise<PathoClipWorkerEvent>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      this.worker.postMessage({ ...message, requestId } as PathoClipWorkerRequest);
    }).finally(() => signal?.removeEventListener('abort', onAbort));
  }

  private dispatch(event: PathoClipWorkerEvent): void {
    const pending = this.pending.get(event.requestId);
    if (!pending) return;
    switch (event.type) {
      case 'load-progress':
        pending.onProgress?.({ file: event.file, loadedBytes: event.loadedBytes, totalBytes: event.totalBytes, fromCache: event.fromCache });
        return;
      case 'error':
        this.pending.delete(event.requestId);
        pending.reject(deserializeInferenceError(event.error));
        return;
      case 'loaded':
      case 'embeddings':
        this.pending.delete(event.requestId);
        pending.resolve(event);
        return;
      default:
        unhandledMessage(event);
    }
  }
}
