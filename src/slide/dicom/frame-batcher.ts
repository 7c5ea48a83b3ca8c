/**
 * Frame requests for one instance that arrive together (the viewer asks for a screenful of tiles at once) go
 * to the server as one WADO-RS request for a frame list (…/frames/3,4,9): servers such as Orthanc parse the
 * instance once per request, so one request a tile is many times slower. Each caller still gets its own frame.
 */

export type FetchFrames<R> = (instanceUrl: string, frames: number[]) => Promise<R[]>;

interface Waiting<R> {
  frame: number;
  resolve(value: R): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
}

/** Largest frame list in one request (URL length, and a failed request fails no more than this many tiles). */
const MAX_FRAMES_PER_REQUEST = 24;

export class FrameBatcher<R> {
  private readonly queues = new Map<string, Waiting<R>[]>();

  constructor(private readonly fetchFrames: FetchFrames<R>) {}

  /** Frame `frame` (1-based, as in WADO-RS) of the instance at `instanceUrl`. */
  request(instanceUrl: string, frame: number, signal?: AbortSignal): Promise<R> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<R>((resolve, reject) => {
      let queue = this.queues.get(instanceUrl);
      if (!queue) {
        queue = [];
        this.queues.set(instanceUrl, queue);
        // A macrotask later: every tile request of the current drawing pass has been made by then.
        setTimeout(() => this.flush(instanceUrl), 0);
      }
      queue.push({ frame, resolve, reject, signal });
    });
  }

  private flush(instanceUrl: string): void {
    const queue = (this.queues.get(instanceUrl) ?? []).filter((waiting) => {
      if (!waiting.signal?.aborted) return true;
      waiting.reject(waiting.signal.reason);
      return false;
    });
    this.queues.delete(instanceUrl);
    const frames = [...new Set(queue.map((waiting) => waiting.frame))].sort((a, b) => a - b);
    for (let i = 0; i < frames.length; i += MAX_FRAMES_PER_REQUEST) {
      const batch = frames.slice(i, i + MAX_FRAMES_PER_REQUEST);
      const waiting = queue.filter((entry) => batch.includes(entry.frame));
      this.fetchFrames(instanceUrl, batch).then(
        (results) => {
          for (const entry of waiting) {
            const result = results[batch.indexOf(entry.frame)];
            if (result === undefined) entry.reject(new Error(`the server sent ${results.length} frames for ${batch.length} asked`));
            else entry.resolve(result);
          }
        },
        (error: unknown) => waiting.forEach((entry) => entry.reject(error)),
      );
    }
  }
}
