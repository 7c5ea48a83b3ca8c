/**
 * Frame requests for one instance that arrive together (the viewer asks for a screenful of tiles at once) go
 * to the server as one WADO-RS request for a frame list (…/frames/3,4,9): servers such as Orthanc parse the
 * whole instance once per request (~160 ms for a 37 MB level on a 2-core machine, whether 1 or 400 frames
 * are asked for), so one request a tile is many times slower, and larger lists are nearly free. A few requests
 * are in flight at once; frames asked for meanwhile wait and go together in the next request. Each caller gets
 * its own frame as soon as its part of the answer has arrived.
 */

/** Fetches `frames` (1-based) and hands each over by its index in `frames` as it arrives. */
export type FetchFrames<R> = (instanceUrl: string, frames: number[], deliver: (index: number, result: R) => void) => Promise<void>;

interface Waiting<R> {
  frame: number;
  resolve(value: R): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
}

/**
 * Longest frame list in one request, in characters ("3,4,9"): keeps the URL well under the 8 KB request line
 * common servers and proxies accept (800 four-digit frames); a failed request fails no more than this.
 */
export const MAX_FRAME_LIST_CHARS = 4000;
/** Requests in flight at once, all instances together: enough to keep a server's cores and the decoders busy. */
export const MAX_REQUESTS_IN_FLIGHT = 2;

/** How `frames` go to the server: sorted, distinct, in as few near-equal requests as the list length allows. */
export function planFrameRequests(frames: number[]): number[][] {
  const sorted = [...new Set(frames)].sort((a, b) => a - b);
  const chars = sorted.reduce((sum, frame) => sum + String(frame).length + 1, 0);
  const count = Math.ceil(chars / MAX_FRAME_LIST_CHARS);
  const size = Math.ceil(sorted.length / Math.max(1, count));
  const requests: number[][] = [];
  for (let i = 0; i < sorted.length; i += size) requests.push(sorted.slice(i, i + size));
  return requests;
}

export class FrameBatcher<R> {
  private readonly queues = new Map<string, Waiting<R>[]>();
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly fetchFrames: FetchFrames<R>) {}

  /** Frame `frame` (1-based, as in WADO-RS) of the instance at `instanceUrl`. */
  request(instanceUrl: string, frame: number, signal?: AbortSignal): Promise<R> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<R>((resolve, reject) => {
      let queue = this.queues.get(instanceUrl);
      if (!queue) {
        queue = [];
        this.queues.set(instanceUrl, queue);
      }
      queue.push({ frame, resolve, reject, signal });
      if (!this.scheduled) {
        this.scheduled = true;
        // A macrotask later: every tile request of the current drawing pass has been made by then.
        setTimeout(() => {
          this.scheduled = false;
          this.flush();
        }, 0);
      }
    });
  }

  private flush(): void {
    for (const [instanceUrl, all] of [...this.queues]) {
      if (this.inFlight >= MAX_REQUESTS_IN_FLIGHT) return;
      const queue = all.filter((waiting) => {
        if (!waiting.signal?.aborted) return true;
        waiting.reject(waiting.signal.reason);
        return false;
      });
      this.queues.delete(instanceUrl);
      const plan = planFrameRequests(queue.map((waiting) => waiting.frame));
      const sent = plan.slice(0, MAX_REQUESTS_IN_FLIGHT - this.inFlight);
      for (const batch of sent) this.send(instanceUrl, batch, queue);
      // Frames that did not fit wait for a request to finish (and go with whatever is asked for meanwhile).
      const left = new Set(plan.slice(sent.length).flat());
      if (left.size > 0)
        this.queues.set(
          instanceUrl,
          queue.filter((waiting) => left.has(waiting.frame)),
        );
    }
  }

  private send(instanceUrl: string, batch: number[], queue: Waiting<R>[]): void {
    const index = new Map(batch.map((frame, i) => [frame, i]));
    const waiting = queue.filter((entry) => index.has(entry.frame));
    const delivered: (R | undefined)[] = new Array(batch.length);
    let count = 0;
    const deliver = (i: number, result: R) => {
      if (i >= batch.length || delivered[i] !== undefined) return;
      delivered[i] = result;
      count++;
      for (const entry of waiting) if (index.get(entry.frame) === i) entry.resolve(result);
    };
    this.inFlight++;
    this.fetchFrames(instanceUrl, batch, deliver)
      .then(
        () => {
          if (count < batch.length) {
            const error = new Error(`the server sent ${count} frames for ${batch.length} asked`);
            for (const entry of waiting) if (delivered[index.get(entry.frame)!] === undefined) entry.reject(error);
          }
        },
        (error: unknown) => waiting.forEach((entry) => entry.reject(error)),
      )
      .finally(() => {
        this.inFlight--;
        this.flush();
      });
  }
}
