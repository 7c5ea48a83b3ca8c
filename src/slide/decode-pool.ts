/**
 * A pool of decode workers so tiles decode in parallel and off the main thread. Workers start on first use;
 * a queued job whose AbortSignal fires is dropped before it reaches a worker.
 */
import type { DecodeRequest, DecodeResponse } from './decode-protocol';
import { SlideError, type RgbaImage } from './slide-source';
import type { TileRequest } from './tile-codec';
import type { DecodedSamples } from './tile-decoder';

type Payload =
  { kind: 'tile'; job: TileRequest; pureJs?: boolean; bitmap?: boolean } | { kind: 'samples'; job: TileRequest } | { kind: 'image'; bytes: Uint8Array };

type Decoded = RgbaImage | DecodedSamples | ImageBitmap;

interface Pending {
  payload: Payload;
  resolve(result: Decoded): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
}

export interface DecodePoolStats {
  workers: number;
  decoded: number;
  /** Of those, decoded by the browser's own decoder (JPEG, WebP, PNG). */
  native: number;
  queued: number;
  /** Sum of in-worker decode times (ms). */
  decodeMs: number;
}

export function defaultPoolSize(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2;
  // Leave a core for the page; at least two so one slow tile never blocks the others.
  return Math.max(2, Math.min(cores - 1, 8));
}

/**
 * Jobs in flight per worker: while one tile decodes, the next one's bytes are already being read from the
 * file, so a worker never sits idle waiting for I/O.
 */
const SLOTS_PER_WORKER = 2;

/**
 * Neighbouring tiles of one local file asked for together (a viewer's view) go to one worker with one `run` to
 * read: a Blob read costs milliseconds of latency and CPU in two processes whatever its size, so one read for
 * up to 16 tiles beat one read each (issue #18: 1.3 vs 2.5 ms of CPU a tile, measured in bench/profile-tiles.ts).
 * Only tiles within a small gap of each other join, so scattered tiles are still read alone.
 */
const RUN_MAX_BYTES = 1024 * 1024;
const RUN_MAX_GAP = 64 * 1024;
const RUN_MAX_TILES = 16;

/** A queued tile read from a local file as one range, which may join a run. */
function singleRange(payload: Payload): { blob: Blob; offset: number; length: number } | null {
  if (payload.kind !== 'tile' || !payload.job.file || payload.job.file.run || payload.job.file.ranges.length !== 1) return null;
  return { blob: payload.job.file.blob, ...payload.job.file.ranges[0]! };
}

export class DecodePool {
  private readonly workers: Worker[] = [];
  /** One entry per free slot (a worker appears once per free slot). */
  private readonly free: Worker[] = [];
  private readonly queue: Pending[] = [];
  /** `slot`: the job holds one of its worker's slots (the first of a run; the others ride along). */
  private readonly running = new Map<number, { task: Pending; worker: Worker; slot: boolean }>();
  private nextId = 1;
  private nextRun = 1;
  private decoded = 0;
  private native = 0;
  private decodeMs = 0;

  constructor(
    readonly size: number = defaultPoolSize(),
    private readonly createWorker: () => Worker = () =>
      new Worker(new URL('./decode-worker.ts', import.meta.url), { type: 'module', name: 'patholens-decode' }),
  ) {}

  decodeTile(job: TileRequest, signal?: AbortSignal, pureJs = false): Promise<RgbaImage> {
    return this.submit({ kind: 'tile', job, pureJs }, signal) as Promise<RgbaImage>;
  }

  /**
   * A tile for drawing only: the native decoder's ImageBitmap (no readback to RGBA; the caller closes it), or the
   * RGBA tile when another decoder made it. Same pixels as decodeTile.
   */
  decodeTileForDisplay(job: TileRequest, signal?: AbortSignal): Promise<RgbaImage | ImageBitmap> {
    return this.submit({ kind: 'tile', job, bitmap: true }, signal) as Promise<RgbaImage | ImageBitmap>;
  }

  /** A block's sample values, unconverted (fluorescence and high-bit-depth statistics). */
  decodeSamples(job: TileRequest, signal?: AbortSignal): Promise<DecodedSamples> {
    return this.submit({ kind: 'samples', job }, signal) as Promise<DecodedSamples>;
  }

  decodeImage(bytes: Uint8Array, signal?: AbortSignal): Promise<RgbaImage> {
    return this.submit({ kind: 'image', bytes }, signal) as Promise<RgbaImage>;
  }

  stats(): DecodePoolStats {
    return { workers: this.workers.length, decoded: this.decoded, native: this.native, queued: this.queue.length, decodeMs: this.decodeMs };
  }

  private submit(payload: Payload, signal?: AbortSignal): Promise<Decoded> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Decoded>((resolve, reject) => {
      this.queue.push({ payload, resolve, reject, signal });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      // Spread work: a new worker before a second slot on a busy one.
      if (this.free.length === 0 || (this.workers.length < this.size && this.running.size >= this.workers.length)) {
        if (this.workers.length < this.size) this.spawn();
      }
      const worker = this.free.shift();
      if (!worker) return;
      const task = this.queue.shift()!;
      if (task.signal?.aborted) {
        this.free.push(worker);
        task.reject(task.signal.reason);
        continue;
      }
      this.takeRun(task).forEach((member, n) => {
        const id = this.nextId++;
        this.running.set(id, { task: member, worker, slot: n === 0 });
        const request: DecodeRequest = { id, ...member.payload };
        worker.postMessage(request);
      });
    }
  }

  /**
   * The task, and the queued tiles of the same file lying next to it (each gap at most RUN_MAX_GAP), taken off
   * the queue: all of them then read one `run` of the file, the first (`task`) one read for all.
   */
  private takeRun(task: Pending): Pending[] {
    const own = singleRange(task.payload);
    if (!own) return [task];
    const candidates: { task: Pending; offset: number; end: number }[] = [{ task, offset: own.offset, end: own.offset + own.length }];
    for (const other of this.queue) {
      const range = singleRange(other.payload);
      if (range?.blob === own.blob && !other.signal?.aborted && Math.abs(range.offset - own.offset) < RUN_MAX_BYTES) {
        candidates.push({ task: other, offset: range.offset, end: range.offset + range.length });
      }
    }
    if (candidates.length === 1) return [task];
    candidates.sort((a, b) => a.offset - b.offset);
    let first = candidates.findIndex((c) => c.task === task);
    let last = first;
    let start = candidates[first]!.offset;
    let end = candidates[first]!.end;
    const fits = (c: { offset: number; end: number }) => Math.max(end, c.end) - Math.min(start, c.offset) <= RUN_MAX_BYTES && last - first + 1 < RUN_MAX_TILES;
    for (let grew = true; grew;) {
      grew = false;
      const after = candidates[last + 1];
      if (after && after.offset - end <= RUN_MAX_GAP && fits(after)) {
        last++;
        end = Math.max(end, after.end);
        grew = true;
      }
      const before = candidates[first - 1];
      if (before && start - before.end <= RUN_MAX_GAP && fits(before)) {
        first--;
        start = Math.min(start, before.offset);
        grew = true;
      }
    }
    if (first === last) return [task];
    const run = { fileKey: `pool-run-${this.nextRun++}`, offset: start, length: end - start };
    const members = [
      task,
      ...candidates
        .slice(first, last + 1)
        .map((c) => c.task)
        .filter((t) => t !== task),
    ];
    for (const member of members) {
      if (member !== task) this.queue.splice(this.queue.indexOf(member), 1);
      const payload = member.payload as Extract<Payload, { kind: 'tile' }>;
      const job = payload.job as Extract<TileRequest, { file: object }>;
      member.payload = { ...payload, job: { ...job, file: { ...job.file, run } } };
    }
    return members;
  }

  private spawn(): Worker {
    const worker = this.createWorker();
    worker.onmessage = (event: MessageEvent<DecodeResponse>) => {
      const response = event.data;
      const entry = this.running.get(response.id);
      this.running.delete(response.id);
      if (entry?.slot !== false) this.free.push(worker);
      if (entry) {
        if (response.ok) {
          this.decoded++;
          if (response.native) this.native++;
          this.decodeMs += response.ms;
          entry.task.resolve('image' in response ? response.image : 'bitmap' in response ? response.bitmap : response.samples);
        } else {
          entry.task.reject(response.slideError ? new SlideError(response.message) : new Error(response.message));
        }
      }
      this.pump();
    };
    worker.onerror = (event) => {
      // A worker that failed to load (or crashed): fail its jobs with a sentence, drop it; the next job spawns anew.
      event.preventDefault();
      worker.terminate();
      this.workers.splice(this.workers.indexOf(worker), 1);
      for (let i = this.free.length - 1; i >= 0; i--) if (this.free[i] === worker) this.free.splice(i, 1);
      for (const [id, entry] of this.running) {
        if (entry.worker !== worker) continue;
        this.running.delete(id);
        entry.task.reject(new SlideError(`A slide decoding worker failed (${event.message || 'it could not start'}); reload the page to try again.`));
      }
      this.pump();
    };
    this.workers.push(worker);
    for (let i = 0; i < SLOTS_PER_WORKER; i++) this.free.unshift(worker); // a fresh worker takes the next job
    return worker;
  }

  terminate(): void {
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
    this.free.length = 0;
    for (const task of [...this.queue, ...[...this.running.values()].map((entry) => entry.task)]) task.reject(new SlideError('Slide decoding was stopped.'));
    this.queue.length = 0;
    this.running.clear();
  }
}
