/**
 * Reading the image while the user types: once a region is selected, the worker can run Patho-R1's vision tower on
 * it before the question exists (on the processor that is most of the time to the first token), and the answer then
 * reuses those image features. Pure scheduling and caching, no model: the runtime passes the encode as a job.
 *
 * - Features are keyed by the images' pixels and sizes (imageFingerprint); the cache lives in one runtime, so one model.
 * - One encode runs at a time. ONNX Runtime cannot cancel a session run, so "cancel" means: a pre-read that has
 *   not started yet is replaced by a newer one (the region changed), and an answer drops any that has not started.
 * - An answer waits for the encode in flight (the sessions are not run concurrently), then takes the cached features.
 * - At most `capacity` encodings are kept (the newest; a few MB each); `onEvict` frees what one held (GPU tensors).
 */
import type { RgbaImage } from '../slide/slide-source';

/** FNV-1a over the pixels (as 32-bit words) and sizes: the same region read the same way gives the same key. */
export function imageFingerprint(images: readonly RgbaImage[]): string {
  return images
    .map((image) => {
      const bytes = image.data;
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
      let hash = 0x811c9dc5;
      for (let index = 0; index < words.length; index++) hash = Math.imul(hash ^ words[index]!, 0x01000193);
      for (let index = words.length * 4; index < bytes.byteLength; index++) hash = Math.imul(hash ^ bytes[index]!, 0x01000193);
      return `${image.width}x${image.height}:${(hash >>> 0).toString(16)}`;
    })
    .join('|');
}

/** How a pre-read ended: encoded now, already cached, or replaced by a newer one before it started. */
export type PreReadOutcome = { kind: 'encoded'; ms: number } | { kind: 'cached' } | { kind: 'replaced' };

interface Waiting<F> {
  key: string;
  job: () => Promise<F>;
  resolve(outcome: PreReadOutcome): void;
  reject(error: unknown): void;
}

export class ImagePreReader<F> {
  private readonly cache = new Map<string, F>();
  private running: { key: string; done: Promise<PreReadOutcome> } | null = null;
  private waiting: Waiting<F> | null = null;

  constructor(
    private readonly capacity = 2,
    private readonly now: () => number = () => performance.now(),
    private readonly onEvict: (features: F) => void = () => undefined,
  ) {}

  /** Encodes `key`'s images with `job` unless cached or already running; replaces a pre-read still waiting to start. */
  preRead(key: string, job: () => Promise<F>): Promise<PreReadOutcome> {
    if (this.cache.has(key)) return Promise.resolve({ kind: 'cached' });
    if (this.running?.key === key) return this.running.done;
    if (this.waiting?.key === key) return new Promise((resolve, reject) => this.chainWaiting(resolve, reject));
    this.dropWaiting();
    if (!this.running) return this.start(key, job);
    return new Promise((resolve, reject) => {
      this.waiting = { key, job, resolve, reject };
    });
  }

  /**
   * For an answer about `key`'s images: drops a pre-read that has not started, waits for the one running (whatever
   * its images), and returns the cached features of these images, or undefined (the answer then encodes them).
   */
  async forAnswer(key: string | null): Promise<F | undefined> {
    this.dropWaiting();
    if (this.running) await this.running.done.catch(() => undefined);
    if (key === null) return undefined;
    const features = this.cache.get(key);
    if (features !== undefined) this.remember(key, features); // most recently used
    return features;
  }

  /** Whether an encoding of `key` is cached (tests, and the worker's answer to a repeated pre-read). */
  has(key: string): boolean {
    return this.cache.has(key);
  }

  /** Forgets every encoding (the model is unloaded). */
  clear(): void {
    this.dropWaiting();
    for (const features of this.cache.values()) this.onEvict(features);
    this.cache.clear();
  }

  private start(key: string, job: () => Promise<F>): Promise<PreReadOutcome> {
    const startedAt = this.now();
    const done = job().then((features): PreReadOutcome => {
      this.remember(key, features);
      return { kind: 'encoded', ms: this.now() - startedAt };
    });
    const running = { key, done };
    this.running = running;
    const next = () => {
      if (this.running === running) this.running = null;
      const waiting = this.waiting;
      this.waiting = null;
      if (waiting) this.start(waiting.key, waiting.job).then(waiting.resolve, waiting.reject);
    };
    done.then(next, next);
    return done;
  }

  private chainWaiting(resolve: (outcome: PreReadOutcome) => void, reject: (error: unknown) => void): void {
    const waiting = this.waiting!;
    const [first, firstReject] = [waiting.resolve, waiting.reject];
    waiting.resolve = (outcome) => {
      first(outcome);
      resolve(outcome);
    };
    waiting.reject = (error) => {
      firstReject(error);
      reject(error);
    };
  }

  private dropWaiting(): void {
    this.waiting?.resolve({ kind: 'replaced' });
    this.waiting = null;
  }

  private remember(key: string, features: F): void {
    this.cache.delete(key);
    this.cache.set(key, features);
    while (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next().value!;
      this.onEvict(this.cache.get(oldest)!);
      this.cache.delete(oldest);
    }
  }
}
