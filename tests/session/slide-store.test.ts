import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { SlideMetadata, SlideSource } from '../../src/slide/slide-source';
import { indexedDbRoiPersistence, memoryRoiPersistence, type RoiPersistence } from '../../src/session/roi-db';
import { createSlideStore } from '../../src/session/slide-store';
import { isRoi } from '../../src/session/roi';

/** A tiny in-memory slide: enough for the store, which never reads pixels. */
function fakeSlide(name: string): SlideSource & { closed: boolean } {
  const metadata: SlideMetadata = {
    name,
    format: 'tiff',
    vendor: null,
    width: 100,
    height: 80,
    levels: [{ width: 100, height: 80, downsample: 1, tileWidth: 64, tileHeight: 64 }],
    mppX: 0.5,
    mppY: 0.5,
    objectivePower: null,
    compression: 'none',
    associatedImages: [],
    properties: {},
  };
  const blank = (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) });
  return {
    metadata,
    closed: false,
    readTile: async () => blank(64, 64),
    readRegion: async (rect) => ({ ...blank(rect.width, rect.height), mpp: 0.5, level: 0, downsample: 1 }),
    readAssociatedImage: async () => blank(1, 1),
    async close() {
      this.closed = true;
    },
  };
}

const rectangle = { kind: 'rectangle' as const, rect: { x: 1, y: 2, width: 30, height: 40 } };

function newStore(persistence: RoiPersistence = memoryRoiPersistence()) {
  const errors: string[] = [];
  let n = 0;
  const store = createSlideStore({ persistence, reportError: (s) => errors.push(s), newId: () => `roi-${++n}` });
  return { store, errors };
}

async function open(store: ReturnType<typeof newStore>['store'], slide: SlideSource, identity: string) {
  const token = store.getState().beginOpening(slide.metadata.name);
  return store.getState().showSlide(token, slide, identity);
}

describe('slide store', () => {
  it('opens a slide, closes the previous one, and keeps ROIs per slide', async () => {
    const { store } = newStore();
    const a = fakeSlide('a.tiff');
    const b = fakeSlide('b.tiff');
    expect(await open(store, a, 'id-a')).toBe(true);
    expect(store.getState().addRoi(rectangle)?.name).toBe('Rectangle 1');
    store.getState().addRoi({
      kind: 'polygon',
      points: [
        { x: 0, y: 0 },
        { x: 9, y: 0 },
        { x: 0, y: 9 },
      ],
    });
    await store.flush();

    expect(await open(store, b, 'id-b')).toBe(true);
    expect(a.closed).toBe(true);
    expect(store.getState().rois).toEqual([]);

    expect(await open(store, fakeSlide('a.tiff'), 'id-a')).toBe(true);
    expect(store.getState().rois.map((r) => r.name)).toEqual(['Rectangle 1', 'Polygon 1']);
  });

  it('renames and deletes, and the stored list follows', async () => {
    const persistence = memoryRoiPersistence();
    const { store } = newStore(persistence);
    await open(store, fakeSlide('a'), 'id-a');
    const roi = store.getState().addRoi(rectangle)!;
    store.getState().renameRoi(roi.id, '  Tumour front ');
    await store.flush();
    expect((await persistence.load('id-a'))[0]?.name).toBe('Tumour front');
    store.getState().deleteRoi(roi.id);
    await store.flush();
    expect(await persistence.load('id-a')).toEqual([]);
    expect(store.getState().selectedRoiId).toBeNull();
  });

  it('undoes and redoes edits; an undone delete brings back the same id, and one drag is one step', async () => {
    const persistence = memoryRoiPersistence();
    const { store } = newStore(persistence);
    await open(store, fakeSlide('a'), 'id-a');
    const roi = store.getState().addRoi(rectangle)!;
    store.getState().reshapeRoi(roi.id, { kind: 'rectangle', rect: { x: 5, y: 5, width: 30, height: 40 } });
    store.getState().setRoiClass(roi.id, 'Tumor');
    store.getState().deleteRoi(roi.id);
    expect(store.getState().rois).toEqual([]);
    store.getState().undo();
    expect(store.getState().rois[0]).toMatchObject({ id: roi.id, className: 'Tumor', shape: { rect: { x: 5 } } });
    store.getState().undo();
    expect(store.getState().rois[0]?.className).toBeUndefined();
    store.getState().undo();
    expect(store.getState().rois[0]?.shape).toEqual(rectangle);
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().rois[0]).toMatchObject({ id: roi.id, className: 'Tumor' });
    await store.flush();
    expect((await persistence.load('id-a'))[0]?.className).toBe('Tumor');
    // A locked region keeps its shape.
    store.getState().addRois([{ id: roi.id, name: 'Locked', shape: rectangle, locked: true }]);
    const locked = store.getState().rois[1]!;
    expect(locked.id).not.toBe(roi.id);
    store.getState().reshapeRoi(locked.id, { kind: 'rectangle', rect: { x: 0, y: 0, width: 1, height: 1 } });
    expect(store.getState().rois[1]?.shape).toEqual(rectangle);
  });

  it('a region saved in the version-1 shape (no class, hidden, locked or measurements) still loads', async () => {
    const saved = { id: 'old-1', name: 'Rectangle 1', shape: rectangle, createdAt: 1 };
    expect(isRoi(saved)).toBe(true);
    const persistence: RoiPersistence = { ...memoryRoiPersistence(), load: async () => [saved] };
    const { store } = newStore(persistence);
    await open(store, fakeSlide('a'), 'id-a');
    expect(store.getState().rois).toEqual([saved]);
  });

  it('a failed open leaves the open slide untouched', async () => {
    const { store } = newStore();
    const a = fakeSlide('a');
    await open(store, a, 'id-a');
    const token = store.getState().beginOpening('broken.tiff');
    expect(store.getState().opening).toBe('broken.tiff');
    store.getState().openFailed(token);
    expect(store.getState().opening).toBeNull();
    expect(store.getState().slide?.source).toBe(a);
    expect(a.closed).toBe(false);
  });

  it('an open overtaken by a newer one is closed, not shown', async () => {
    const { store } = newStore();
    const slow = fakeSlide('slow');
    const fast = fakeSlide('fast');
    const slowToken = store.getState().beginOpening('slow');
    const fastToken = store.getState().beginOpening('fast');
    expect(await store.getState().showSlide(fastToken, fast, 'id-fast')).toBe(true);
    expect(await store.getState().showSlide(slowToken, slow, 'id-slow')).toBe(false);
    expect(slow.closed).toBe(true);
    expect(store.getState().slide?.metadata.name).toBe('fast');
  });

  it('storage failures become sentences and the session goes on', async () => {
    const failing: RoiPersistence = {
      load: async () => {
        throw new Error('QuotaExceededError');
      },
      save: async () => {
        throw new Error('the disk is full');
      },
    };
    const { store, errors } = newStore(failing);
    expect(await open(store, fakeSlide('a'), 'id-a')).toBe(true);
    store.getState().addRoi(rectangle);
    await store.flush();
    expect(errors).toEqual([
      'Could not load the saved regions of this slide: QuotaExceededError. New regions may not be saved either.',
      'The regions of this slide could not be saved: the disk is full. What was saved before is kept; the newest changes stay until you reload the page.',
    ]);
    expect(store.getState().rois).toHaveLength(1);
  });

  it('persists in IndexedDB across store instances (a reload) and drops damaged records', async () => {
    const dbName = `test-${Math.random()}`;
    const first = newStore(indexedDbRoiPersistence(dbName)).store;
    await open(first, fakeSlide('a'), 'file:a:1:abc');
    first.getState().addRoi(rectangle);
    await first.flush();

    const persistence = indexedDbRoiPersistence(dbName);
    const second = newStore(persistence).store;
    await open(second, fakeSlide('a'), 'file:a:1:abc');
    expect(second.getState().rois).toEqual([expect.objectContaining({ name: 'Rectangle 1', shape: rectangle })]);

    await persistence.save('damaged', [{ id: 'x', name: 'bad', createdAt: 0, shape: { kind: 'polygon', points: [] } }]);
    expect(await persistence.load('damaged')).toEqual([]);
    expect(await persistence.load('never-seen')).toEqual([]);
  });

  it('undoes and redoes create, move, class change and delete; an undone delete brings back the same region id', async () => {
    const persistence = memoryRoiPersistence();
    const { store } = newStore(persistence);
    await open(store, fakeSlide('a.tif'), 'id-a');
    const roi = store.getState().addRoi({ kind: 'rectangle', rect: { x: 1, y: 2, width: 10, height: 10 } })!;
    store.getState().reshapeRoi(roi.id, { kind: 'rectangle', rect: { x: 5, y: 6, width: 10, height: 10 } });
    store.getState().setRoiClass(roi.id, 'Tumor');
    store.getState().deleteRoi(roi.id);
    expect(store.getState().rois).toEqual([]);
    store.getState().undo();
    expect(store.getState().rois[0]).toMatchObject({ id: roi.id, className: 'Tumor', shape: { rect: { x: 5, y: 6 } } });
    store.getState().undo();
    expect(store.getState().rois[0]!.className).toBeUndefined();
    store.getState().undo();
    expect(store.getState().rois[0]!.shape).toEqual({ kind: 'rectangle', rect: { x: 1, y: 2, width: 10, height: 10 } });
    store.getState().undo();
    expect(store.getState().rois).toEqual([]);
    store.getState().undo(); // nothing left: no change
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().rois[0]!.shape).toMatchObject({ rect: { x: 5, y: 6 } });
    await store.flush();
    expect((await persistence.load('id-a'))[0]!.id).toBe(roi.id);
    // A new change drops what could be redone; a newly opened slide starts with no history.
    store.getState().setRoiHidden(roi.id, true);
    expect(store.getState().history.future).toEqual([]);
    await open(store, fakeSlide('b.tif'), 'id-b');
    expect(store.getState().history.past).toEqual([]);
  });

  it('loads regions saved by the first version (no class, no hidden flag) and imports regions with fresh ids where taken', async () => {
    const persistence = indexedDbRoiPersistence('v1-regions-test');
    const v1 = { id: 'old', name: 'Rectangle 1', createdAt: 1, shape: { kind: 'rectangle', rect: { x: 0, y: 0, width: 5, height: 5 } } };
    await persistence.save('id-v1', [v1 as never]);
    const { store } = newStore(persistence);
    await open(store, fakeSlide('v1.tif'), 'id-v1');
    expect(store.getState().rois).toEqual([v1]);
    const added = store.getState().addRois([{ id: 'old', name: 'Imported', shape: { kind: 'points', points: [{ x: 1, y: 1 }] }, className: 'Other' }]);
    expect(added[0]!.id).not.toBe('old');
    store.getState().undo();
    expect(store.getState().rois).toEqual([v1]);
  });
});
