/**
 * A pool of decode workers so tiles decode in parallel and off the main thread. Workers start on first use;
 * a queued job whose AbortSignal fires is dropped before it reaches a worker.
 */
import type { DecodeRequest, DecodeResponse } from './decode-protocol';
import { SlideError, type RgbaImage } from './slide-source';
import type { TileRequest } from './tile-codec';

type Payload = { kind: 'tile'; job: TileRequest; pureJs?: boolean } | { kind: 'image'; bytes: Uint8Array };

interface Pending {
  payload: Payload;
  resolve(image: RgbaImage): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
}

export interface DecodePoolStats {
  workers: number;
  decoded: number;
  queued: number;
  /** Sum of in-worker decode times (ms). */
  decodeMs: number;
}

export function defaultPoolSize(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2;
  // Leave a core for the page; at least two so one slow tile never blocks the others.
  return Math.max(2, Math.min(cores - 1, 8));
}

export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<number, Pending>();
  private nextId = 1;
  private decoded = 0;
  private decodeMs = 0;

  constructor(
    readonly size: number = defaultPoolSize(),
    private readonly createWorker: () => Worker = () => new Worker(new URL('./decode-worker.ts', import.meta.url), { type: 'module', name: 'patholens-decode' }),
  ) {}

  decodeTile(job: TileRequest, signal?: AbortSignal, pureJs = false): Promise<RgbaImage> {
    return this.submit({ kind: 'tile', job, pureJs }, signal);
  }

  decodeImage(bytes: Uint8Array, signal?: AbortSignal): Promise<RgbaImage> {
    return this.submit({ kind: 'image', bytes }, signal);
  }

  stats(): DecodePoolStats {
    return { workers: this.workers.length, decoded: this.decoded, queued: this.queue.length, decodeMs: this.decodeMs };
  }

  private submit(payload: Payload, signal?: AbortSignal): Promise<RgbaImage> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<RgbaImage>((resolve, reject) => {
      this.queue.push({ payload, resolve, reject, signal });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker && this.workers.length < this.size) worker = this.spawn();
      if (!worker) return;
      const task = this.queue.shift()!;
      if (task.signal?.aborted) {
        this.idle.push(worker);
        task.reject(task.signal.reason);
        continue;
      }
      const id = this.nextId++;
      this.running.set(id, task);
      (worker as Worker & { currentId?: number }).currentId = id;
      const request: DecodeRequest = task.payload.kind === 'tile' ? { id, ...task.payload } : { id, kind: 'image', bytes: task.payload.bytes };
      worker.postMessage(request);
    }
  }

  private spawn(): Worker {
    const worker = this.createWorker();
    worker.onmessage = (event: MessageEvent<DecodeResponse>) => {
      const response = event.data;
      const task = this.running.get(response.id);
      this.running.delete(response.id);
      this.idle.push(worker);
      if (task) {
        if (response.ok) {
          this.decoded++;
          this.decodeMs += response.ms;
          task.resolve(response.image);
        } else {
          task.reject(response.slideError ? new SlideError(response.message) : new Error(response.message));
        }
      }
      this.pump();
    };
    worker.onerror = (event) => {
      // A worker that failed to load (or crashed): fail its job with a sentence, replace it.
      event.preventDefault();
      const id = (worker as Worker & { currentId?: number }).currentId;
      const task = id === undefined ? undefined : this.running.get(id);
      if (id !== undefined) this.running.delete(id);
      worker.terminate();
      this.workers.splice(this.workers.indexOf(worker), 1);
      task?.reject(new SlideError(`A slide decoding worker failed (${event.message || 'it could not start'}); reload the page to try again.`));
      this.pump();
    };
    this.workers.push(worker);
    return worker;
  }

  terminate(): void {
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
    this.idle.length = 0;
    for (const task of [...this.queue, ...this.running.values()]) task.reject(new SlideError('Slide decoding was stopped.'));
    this.queue.length = 0;
    this.running.clear();
  }
}
