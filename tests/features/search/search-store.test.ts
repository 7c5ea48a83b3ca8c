import { describe, expect, it } from 'vitest';
import { createSearchStore, sharedRangeOf, type SearchSlide } from '../../../src/features/search/search-store';
import { memorySlideModelRecords } from '../../../src/storage/slide-model-db';
import type { SlideSearchIndex } from '../../../src/features/search/slide-index';
import type { HeatmapOverlay } from '../../../src/session/heatmap-overlay';
import type { PathoClipEngine } from '../../../src/inference/pathoclip-engine';
import { tileRect } from '../../../src/features/search/tile-grid';
import { colourEngine } from './colour-engine';
import { memorySlide, tissuePicture } from './generated-slides';

// Hematoxylin (blue-purple) on the left, eosin (pink) on the right.
const picture = tissuePicture(2048, 1024, [
  { x: 128, y: 128, width: 640, height: 640, stain: 'hematoxylin' },
  { x: 1152, y: 128, width: 768, height: 768, stain: 'eosin' },
]);

function setup() {
  const source = memorySlide(picture);
  let weights = 'sha-1';
  let slide: SearchSlide | null = { identity: 'file:demo', source, metadata: source.metadata };
  let engine: PathoClipEngine | null = colourEngine();
  let region: { name: string; rect: { x: number; y: number; width: number; height: number } } | null = null;
  const records = memorySlideModelRecords<SlideSearchIndex>();
  const heatmaps: (HeatmapOverlay | null)[] = [];
  const errors: string[] = [];
  const store = createSearchStore({
    currentSlide: () => slide,
    engine: () => engine,
    selectedRegion: () => region,
    records,
    indexKey: (model) => `${model.info.modelKey}#${weights}`,
    showHeatmap: (overlay) => heatmaps.push(overlay),
    reportError: (sentence) => errors.push(sentence),
    pause: async () => undefined,
    topK: 5,
  });
  return {
    store,
    records,
    heatmaps,
    errors,
    source,
    setSlide: (next: SearchSlide | null) => (slide = next),
    setEngine: (next: PathoClipEngine | null) => (engine = next),
    setRegion: (next: typeof region) => (region = next),
    setWeights: (next: string) => (weights = next),
  };
}

const ready = (state: ReturnType<ReturnType<typeof setup>['store']['getState']>) => {
  if (state.index.status !== 'ready') throw new Error(`index is ${state.index.status}`);
  return state.index;
};

describe('search store', () => {
  it('indexes a slide, keeps the index, and restores it instead of recomputing', async () => {
    const { store, records } = setup();
    await store.getState().refresh();
    expect(store.getState().index.status).toBe('none');
    store.getState().setMagnification(10);
    await store.getState().buildIndex();
    const built = ready(store.getState());
    expect(built.restored).toBe(false);
    expect(built.index.grid.magnification).toBe(10);
    expect(await records.load('file:demo', 'colour:fp32/fp32#sha-1')).toBe(built.index);
    await store.getState().refresh();
    expect(ready(store.getState())).toMatchObject({ restored: true, index: built.index });
  });

  it('does not restore an index made with other weights under the same model name', async () => {
    const { store, setWeights } = setup();
    await store.getState().refresh();
    await store.getState().buildIndex();
    setWeights('sha-2');
    await store.getState().refresh();
    expect(store.getState().index.status).toBe('none');
    setWeights('sha-1');
    await store.getState().refresh();
    expect(store.getState().index.status).toBe('ready');
  });

  it('answers text queries with ranked hits and a heatmap over the tile grid', async () => {
    const { store, heatmaps } = setup();
    await store.getState().refresh();
    await store.getState().buildIndex();
    const { index } = ready(store.getState());
    await store.getState().searchText('blue');
    await store.getState().searchText('red');
    const [blue, red] = store.getState().queries;
    expect(blue).toMatchObject({ kind: 'text', label: '“blue”', status: 'done' });
    // Every blue hit is in the hematoxylin area, every red hit in the eosin area.
    for (const hit of blue!.hits!) expect(tileRect(index.grid, index.cells[hit.tile]!).x).toBeLessThan(768);
    for (const hit of red!.hits!) expect(tileRect(index.grid, index.cells[hit.tile]!).x).toBeGreaterThanOrEqual(1152);
    expect(red!.hits).toHaveLength(5);
    // The latest query is shown; switching shows the other one's heatmap.
    expect(store.getState().shownQueryId).toBe(red!.id);
    const shown = heatmaps.at(-1)!;
    expect(shown).toMatchObject({ slideIdentity: 'file:demo', width: index.grid.columns, height: index.grid.rows, opacity: 0.5 });
    expect(shown.bounds.width).toBeCloseTo(index.grid.columns * index.grid.tileSideLevel0);
    store.getState().showQuery(blue!.id);
    expect(heatmaps.at(-1)!.data).not.toBe(shown.data);
    // Opacity alone keeps the same picture (the viewer only restyles it).
    const before = heatmaps.at(-1)!;
    store.getState().setDisplay({ opacity: 0.8 });
    expect(heatmaps.at(-1)).toMatchObject({ opacity: 0.8 });
    expect(heatmaps.at(-1)!.data).toBe(before.data);
    store.getState().setDisplay({ visible: false });
    expect(heatmaps.at(-1)).toBeNull();
    expect(sharedRangeOf(store.getState().queries).max).toBe(Math.max(blue!.range!.max, red!.range!.max));
    store.getState().removeQuery(blue!.id);
    expect(store.getState().queries.map((q) => q.id)).toEqual([red!.id]);
  });

  it('queries by the selected region: its indexed tiles, or its own pixels when it covers none', async () => {
    const { store, setRegion } = setup();
    await store.getState().refresh();
    await store.getState().buildIndex();
    const { index } = ready(store.getState());
    setRegion({ name: 'Rectangle 1', rect: { x: 1300, y: 300, width: 300, height: 300 } });
    await store.getState().searchExample();
    const example = store.getState().queries.at(-1)!;
    expect(example).toMatchObject({ kind: 'example', label: 'like Rectangle 1', status: 'done' });
    for (const hit of example.hits!) expect(tileRect(index.grid, index.cells[hit.tile]!).x).toBeGreaterThanOrEqual(1152);
    // A region on glass, between the tissue areas: read and embedded itself.
    setRegion({ name: 'Rectangle 2', rect: { x: 900, y: 900, width: 100, height: 100 } });
    await store.getState().searchExample();
    expect(store.getState().queries.at(-1)).toMatchObject({ status: 'done' });
  });

  it('forgets the index and queries when the slide or the model changes, and cancels indexing', async () => {
    const { store, setSlide, setEngine, source } = setup();
    await store.getState().refresh();
    await store.getState().buildIndex();
    await store.getState().searchText('red');
    setEngine(colourEngine(32, 'another:fp32/fp32'));
    await store.getState().refresh();
    expect(store.getState().index.status).toBe('none');
    expect(store.getState().queries).toEqual([]);
    setSlide({ identity: 'file:other', source, metadata: source.metadata });
    await store.getState().refresh();
    expect(store.getState().index.status).toBe('none');
    setEngine(null);
    await store.getState().refresh();
    expect(store.getState().index.status).toBe('no-model');
    setEngine(colourEngine());
    await store.getState().refresh();
    const building = store.getState().buildIndex();
    store.getState().cancelIndexing();
    await building;
    expect(store.getState().index.status).toBe('none');
  });

  it('says in a sentence why indexing failed', async () => {
    const { store, setSlide } = setup();
    const glass = memorySlide(tissuePicture(512, 512, []), { name: 'empty.svs' });
    setSlide({ identity: 'file:empty', source: glass, metadata: glass.metadata });
    await store.getState().refresh();
    await store.getState().buildIndex();
    const state = store.getState().index;
    expect(state.status).toBe('error');
    expect(state.status === 'error' && state.message).toMatch(/^Indexing empty\.svs failed: No tissue was found on empty\.svs .*\. Check the slide/);
  });
});
