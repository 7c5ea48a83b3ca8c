import { describe, expect, it } from 'vitest';
import { ImagePreReader, imageFingerprint } from '../../src/inference/image-pre-read';

function image(width: number, height: number, fill: number) {
  return { width, height, data: new Uint8ClampedArray(width * height * 4).fill(fill) };
}

/** A job that finishes when the test says so, and records that it started. */
function deferredJob(log: string[], name: string) {
  let finish!: (value: string) => void;
  const job = () => {
    log.push(`start ${name}`);
    return new Promise<string>((resolve) => (finish = resolve));
  };
  return { job, finish: (value = `features ${name}`) => finish(value) };
}

describe('imageFingerprint', () => {
  it('is the same for the same pixels and differs for other pixels or sizes', () => {
    expect(imageFingerprint([image(4, 2, 7)])).toBe(imageFingerprint([image(4, 2, 7)]));
    expect(imageFingerprint([image(4, 2, 7)])).not.toBe(imageFingerprint([image(4, 2, 8)]));
    expect(imageFingerprint([image(4, 2, 7)])).not.toBe(imageFingerprint([image(2, 4, 7)]));
    const changedOnePixel = image(4, 2, 7);
    changedOnePixel.data[13] = 0;
    expect(imageFingerprint([changedOnePixel])).not.toBe(imageFingerprint([image(4, 2, 7)]));
  });
});

describe('ImagePreReader', () => {
  it('encodes once, then an answer about the same image takes the cached features', async () => {
    const reader = new ImagePreReader<string>();
    const log: string[] = [];
    const a = deferredJob(log, 'a');
    const outcome = reader.preRead('a', a.job);
    expect(reader.preRead('a', a.job)).toBe(outcome); // the same read in flight is not started twice
    a.finish();
    expect((await outcome).kind).toBe('encoded');
    expect(await reader.preRead('a', a.job)).toEqual({ kind: 'cached' });
    expect(await reader.forAnswer('a')).toBe('features a');
    expect(await reader.forAnswer('other')).toBeUndefined();
    expect(log).toEqual(['start a']);
  });

  it('an answer asked mid-read waits for that read and reuses it', async () => {
    const reader = new ImagePreReader<string>();
    const log: string[] = [];
    const a = deferredJob(log, 'a');
    void reader.preRead('a', a.job);
    const answer = reader.forAnswer('a');
    let settled = false;
    void answer.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    a.finish();
    expect(await answer).toBe('features a');
  });

  it('a newer region replaces a pre-read that has not started; the running one finishes', async () => {
    const reader = new ImagePreReader<string>();
    const log: string[] = [];
    const [a, b, c] = [deferredJob(log, 'a'), deferredJob(log, 'b'), deferredJob(log, 'c')];
    const first = reader.preRead('a', a.job);
    const second = reader.preRead('b', b.job);
    const third = reader.preRead('c', c.job);
    expect(await second).toEqual({ kind: 'replaced' });
    a.finish();
    expect((await first).kind).toBe('encoded');
    await Promise.resolve();
    c.finish();
    expect((await third).kind).toBe('encoded');
    expect(log).toEqual(['start a', 'start c']);
  });

  it('an answer drops a waiting pre-read so it never runs before or during the answer', async () => {
    const reader = new ImagePreReader<string>();
    const log: string[] = [];
    const [a, b] = [deferredJob(log, 'a'), deferredJob(log, 'b')];
    void reader.preRead('a', a.job);
    const waiting = reader.preRead('b', b.job);
    const answer = reader.forAnswer('b');
    expect(await waiting).toEqual({ kind: 'replaced' });
    a.finish();
    expect(await answer).toBeUndefined();
    expect(log).toEqual(['start a']);
  });

  it('keeps at most `capacity` encodings, the most recently used', async () => {
    const reader = new ImagePreReader<string>(2);
    for (const key of ['a', 'b']) await reader.preRead(key, () => Promise.resolve(key));
    expect(await reader.forAnswer('a')).toBe('a'); // a is now the most recent
    await reader.preRead('c', () => Promise.resolve('c'));
    expect([reader.has('a'), reader.has('b'), reader.has('c')]).toEqual([true, false, true]);
    reader.clear();
    expect(reader.has('a')).toBe(false);
  });

  it('a failed encode rejects its pre-read, caches nothing and lets the next one run', async () => {
    const reader = new ImagePreReader<string>();
    await expect(reader.preRead('a', () => Promise.reject(new Error('out of memory')))).rejects.toThrow('out of memory');
    expect(reader.has('a')).toBe(false);
    expect(await reader.forAnswer('a')).toBeUndefined();
    expect((await reader.preRead('b', () => Promise.resolve('b'))).kind).toBe('encoded');
  });
});
