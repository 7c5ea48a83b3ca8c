/**
 * The Ask panel's side of reading the image ahead: which region it follows, what it says, and how much of the image
 * reading a question still waits for. Fake slide and engine, fake clock; no model, no DOM.
 */
import { describe, expect, it } from 'vitest';
import { createRegionPreReadStore, type PreReadEngine, type PreReadTarget } from '../../../src/features/ask/region-pre-read';
import { readAskRegion } from '../../../src/features/ask/ask-region';
import type { ReadRegionResult, SlideMetadata, SlideSource } from '../../../src/slide/slide-source';

function fakeSlide(shade: number): SlideSource {
  const metadata = { name: 'fake.svs', width: 8000, height: 6000, mppX: 0.25, mppY: 0.25 } as SlideMetadata;
  return {
    metadata,
    readTile: () => Promise.reject(new Error('not used')),
    readAssociatedImage: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
    async readRegion(rect, targetMpp): Promise<ReadRegionResult> {
      const scale = targetMpp ? 0.25 / targetMpp : 1;
      const [width, height] = [Math.round(rect.width * scale), Math.round(rect.height * scale)];
      return { width, height, data: new Uint8ClampedArray(width * height * 4).fill(shade) } as ReadRegionResult;
    },
  };
}

const model = {};
function target(key: string, shade = 200): PreReadTarget {
  return {
    key,
    model,
    source: { slide: fakeSlide(shade), bounds: { x: 0, y: 0, width: 1792, height: 1344 }, maxPixels: 1_003_520 },
    options: { magnification: 10, fullSizeRegions: false },
  };
}

/** An engine whose reads finish when the test says so. */
function manualEngine() {
  const pending: ((outcome: { kind: 'encoded'; ms: number } | { kind: 'busy' }) => void)[] = [];
  const engine: PreReadEngine = { preRead: () => new Promise((resolve) => pending.push(resolve)) };
  return {
    engine,
    pending,
    finish: (index = 0, outcome: { kind: 'encoded'; ms: number } | { kind: 'busy' } = { kind: 'encoded', ms: 1 }) => pending[index]!(outcome),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('region pre-read store', () => {
  it('says reading, then ready; a question about that image waits for what is left of the estimate, then nothing', async () => {
    let now = 1000;
    const store = createRegionPreReadStore(() => now);
    const { engine, finish } = manualEngine();
    void store.start(target('roi-1'), engine, () => 20_000);
    await flush();
    expect(store.getState()).toMatchObject({ status: 'reading', target: 'roi-1', expectedImageMs: 20_000 });
    const read = await readAskRegion(target('roi-1').source, target('roi-1').options);
    if (!read.ok) throw new Error(read.reason);
    now += 8000;
    expect(store.imageMsLeft(read.image)).toBe(12_000); // the question arrives mid-read
    now += 30_000;
    expect(store.imageMsLeft(read.image)).toBe(0); // past the estimate: never negative
    finish();
    await flush();
    expect(store.getState()).toMatchObject({ status: 'ready', target: 'roi-1' });
    expect(store.imageMsLeft(read.image)).toBe(0);
    const other = await readAskRegion(target('roi-2', 90).source, target('roi-2', 90).options);
    if (!other.ok) throw new Error(other.reason);
    expect(store.imageMsLeft(other.image)).toBeNull(); // another image: the question reads it itself
  });

  it('the same target is not read twice; a new one replaces it and a late result of the old one is ignored', async () => {
    const store = createRegionPreReadStore(() => 0);
    const { engine, pending, finish } = manualEngine();
    void store.start(target('roi-1'), engine, () => 5000);
    void store.start(target('roi-1'), engine, () => 5000);
    await flush();
    expect(pending).toHaveLength(1);
    void store.start(target('roi-2', 90), engine, () => 5000);
    await flush();
    expect(pending).toHaveLength(2);
    finish(0); // roi-1's reading ends after roi-2 took over
    await flush();
    expect(store.getState()).toMatchObject({ status: 'reading', target: 'roi-2' });
    finish(1);
    await flush();
    expect(store.getState()).toMatchObject({ status: 'ready', target: 'roi-2' });
  });

  it('forgets a reading the worker skipped (an answer was running) or that was cleared', async () => {
    const store = createRegionPreReadStore(() => 0);
    const { engine, finish } = manualEngine();
    void store.start(target('roi-1'), engine, () => 5000);
    await flush();
    finish(0, { kind: 'busy' });
    await flush();
    expect(store.getState().status).toBe('idle');
    void store.start(target('roi-1'), engine, () => 5000); // idle again: asked once more, it reads
    await flush();
    expect(store.getState().status).toBe('reading');
    store.clear();
    finish(1);
    await flush();
    expect(store.getState().status).toBe('idle');
  });
});
