/** The decode pool's scheduling, with fake workers: spreading, two jobs per worker, aborts, crashed workers. */
import { describe, expect, it } from 'vitest';
import type { DecodeRequest, DecodeResponse } from '../../src/slide/decode-protocol';
import { DecodePool } from '../../src/slide/decode-pool';
import { SlideError } from '../../src/slide/slide-source';

class FakeWorker {
  static all: FakeWorker[] = [];
  onmessage: ((event: MessageEvent<DecodeResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  inbox: DecodeRequest[] = [];
  terminated = false;
  constructor() {
    FakeWorker.all.push(this);
  }
  postMessage(request: DecodeRequest): void {
    this.inbox.push(request);
  }
  /** Answers the oldest job. */
  answer(ok = true): void {
    const request = this.inbox.shift()!;
    const image = { width: 1, height: 1, data: new Uint8ClampedArray([request.id, 0, 0, 255]) };
    this.onmessage!({
      data: ok ? { id: request.id, ok: true, image, ms: 2, native: true } : { id: request.id, ok: false, message: 'bad tile', slideError: true },
    } as MessageEvent<DecodeResponse>);
  }
  crash(): void {
    this.onerror!({ message: 'boom', preventDefault() {} } as ErrorEvent);
  }
  terminate(): void {
    this.terminated = true;
  }
}

const request = { codec: { key: 'k' }, width: 1, height: 1, planes: [new Uint8Array(1)] } as never;

function pool(size: number) {
  FakeWorker.all = [];
  return new DecodePool(size, () => new FakeWorker() as unknown as Worker);
}

describe('DecodePool', () => {
  it('starts workers on demand, gives each at most two jobs, queues the rest', async () => {
    const p = pool(2);
    const results = Array.from({ length: 6 }, () => p.decodeTile(request));
    expect(FakeWorker.all).toHaveLength(2);
    expect(FakeWorker.all.map((w) => w.inbox.length)).toEqual([2, 2]);
    expect(p.stats().queued).toBe(2);
    FakeWorker.all[0]!.answer();
    expect(FakeWorker.all[0]!.inbox).toHaveLength(2); // a queued job took the freed slot
    while (FakeWorker.all.some((w) => w.inbox.length > 0)) for (const w of FakeWorker.all) if (w.inbox.length) w.answer();
    const images = await Promise.all(results);
    expect(new Set(images.map((i) => i.data[0])).size).toBe(6);
    expect(p.stats()).toMatchObject({ decoded: 6, native: 6, queued: 0, decodeMs: 12 });
  });

  it('drops a queued job whose signal fired, without sending it', async () => {
    const p = pool(1);
    const first = p.decodeTile(request);
    const second = p.decodeTile(request);
    const controller = new AbortController();
    const third = p.decodeTile(request, controller.signal);
    controller.abort(new DOMException('gone', 'AbortError'));
    FakeWorker.all[0]!.answer();
    await expect(third).rejects.toThrow('gone');
    expect(FakeWorker.all[0]!.inbox).toHaveLength(1);
    FakeWorker.all[0]!.answer();
    await Promise.all([first, second]);
  });

  it('queued tiles of one file lying next to each other go to one worker with one run to read; scattered tiles alone', async () => {
    const p = pool(1);
    const blob = new Blob([]);
    const other = new Blob([]);
    const at = (b: Blob, offset: number) => ({ codec: { key: 'k' }, width: 1, height: 1, file: { blob: b, ranges: [{ offset, length: 100 }] } }) as never;
    const offsets: [Blob, number][] = [
      [blob, 0],
      [blob, 5000],
      [blob, 200],
      [blob, 9_000_000],
      [blob, 300],
      [other, 400],
      [blob, 100],
    ];
    const jobs = offsets.map(([b, offset]) => p.decodeTile(at(b, offset)));
    const worker = FakeWorker.all[0]!;
    const seen = () =>
      worker.inbox.map((r) => {
        const file = r.kind === 'tile' ? r.job.file : undefined;
        return [file?.ranges[0]?.offset, file?.run && [file.run.offset, file.run.length]];
      });
    expect(seen()).toEqual([
      [0, undefined],
      [5000, undefined],
    ]); // sent at once, before anything queued
    worker.answer(); // a free slot: the next queued tile (200) takes its neighbours 100 and 300 with it
    expect(seen()).toEqual([
      [5000, undefined],
      [200, [100, 300]],
      [100, [100, 300]],
      [300, [100, 300]],
    ]);
    worker.answer(); // 5000 done: the far tile goes alone
    expect(seen().at(-1)).toEqual([9_000_000, undefined]);
    worker.answer(); // the run's first tile frees its slot; the ones that rode along do not
    expect(seen().at(-1)).toEqual([400, undefined]);
    while (worker.inbox.length > 0) worker.answer();
    await Promise.all(jobs);
    expect(p.stats()).toMatchObject({ decoded: 7, queued: 0 });
    const next = [p.decodeTile(request), p.decodeTile(request), p.decodeTile(request)];
    expect(worker.inbox).toHaveLength(2); // still two slots, not more
    while (worker.inbox.length > 0) worker.answer();
    await Promise.all(next);
  });

  it('a failed tile rejects with the worker sentence; a crashed worker fails its jobs and is replaced', async () => {
    const p = pool(1);
    const bad = p.decodeTile(request);
    FakeWorker.all[0]!.answer(false);
    await expect(bad).rejects.toBeInstanceOf(SlideError);
    const lost = [p.decodeTile(request), p.decodeTile(request)];
    FakeWorker.all[0]!.crash();
    for (const job of lost) await expect(job).rejects.toThrow(/decoding worker failed \(boom\)/);
    expect(FakeWorker.all[0]!.terminated).toBe(true);
    const again = p.decodeTile(request);
    expect(FakeWorker.all).toHaveLength(2);
    FakeWorker.all[1]!.answer();
    await expect(again).resolves.toMatchObject({ width: 1 });
  });
});
