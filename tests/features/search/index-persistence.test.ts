import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { indexedDbSearchIndexRecords, isSlideSearchIndex, loadSearchIndex, saveSearchIndex } from '../../../src/features/search/index-persistence';
import { SEARCH_INDEX_FORMAT, type SlideSearchIndex } from '../../../src/features/search/slide-index';
import { planTileGrid } from '../../../src/features/search/tile-grid';
import { fileIdentity } from '../../../src/features/viewer/slide-identity';

const metadata = { width: 4096, height: 3072 };

function indexFor(slideIdentity: string, modelKey: string): SlideSearchIndex {
  const grid = planTileGrid({ ...metadata, mppX: 0.25, mppY: 0.25 }, 20, 224);
  return {
    format: SEARCH_INDEX_FORMAT,
    slideIdentity,
    modelKey,
    grid,
    embedDim: 4,
    cells: Uint32Array.from([1, 5, 9]),
    embeddings: Int8Array.from([127, 0, 0, 0, 0, 127, 0, 0, 0, 0, 127, 0]),
    scales: Float32Array.from([1 / 127, 1 / 127, 1 / 127]),
    minTissueFraction: 0.25,
    createdAt: 1,
  };
}

describe('stored search indexes', () => {
  it('come back after a reload for the same slide and model, typed arrays intact', async () => {
    const dbName = `search-test-${Math.random()}`;
    const identity = await fileIdentity('slide.svs', 1000, new Uint8Array([1, 2, 3]));
    await saveSearchIndex(indexedDbSearchIndexRecords(dbName), indexFor(identity, 'pathoclip:q4/fp16'));
    // A new page: a new connection to the same database.
    const restored = await loadSearchIndex(indexedDbSearchIndexRecords(dbName), { identity, metadata }, 'pathoclip:q4/fp16');
    expect(restored).toEqual(indexFor(identity, 'pathoclip:q4/fp16'));
    expect(restored!.embeddings).toBeInstanceOf(Int8Array);
  });

  it('are not used when the file changed (another identity) or another model is loaded', async () => {
    const records = indexedDbSearchIndexRecords(`search-test-${Math.random()}`);
    const original = await fileIdentity('slide.svs', 1000, new Uint8Array([1, 2, 3]));
    const rewritten = await fileIdentity('slide.svs', 1000, new Uint8Array([1, 2, 4]));
    const resized = await fileIdentity('slide.svs', 1001, new Uint8Array([1, 2, 3]));
    await saveSearchIndex(records, indexFor(original, 'pathoclip-b:q4/fp16'));
    expect(await loadSearchIndex(records, { identity: rewritten, metadata }, 'pathoclip-b:q4/fp16')).toBeNull();
    expect(await loadSearchIndex(records, { identity: resized, metadata }, 'pathoclip-b:q4/fp16')).toBeNull();
    expect(await loadSearchIndex(records, { identity: original, metadata }, 'pathoclip-b:fp32/fp16')).toBeNull();
    expect(await loadSearchIndex(records, { identity: original, metadata }, 'pathoclip-l:q4/fp16')).toBeNull();
    // Each model keeps its own index of the slide.
    await saveSearchIndex(records, indexFor(original, 'pathoclip-l:q4/fp16'));
    expect((await loadSearchIndex(records, { identity: original, metadata }, 'pathoclip-b:q4/fp16'))?.modelKey).toBe('pathoclip-b:q4/fp16');
    expect((await loadSearchIndex(records, { identity: original, metadata }, 'pathoclip-l:q4/fp16'))?.modelKey).toBe('pathoclip-l:q4/fp16');
  });

  it('drops an index whose slide size no longer matches, and one that is damaged or from another format', async () => {
    const records = indexedDbSearchIndexRecords(`search-test-${Math.random()}`);
    await saveSearchIndex(records, indexFor('file:a', 'm'));
    expect(await loadSearchIndex(records, { identity: 'file:a', metadata: { width: 4096, height: 3000 } }, 'm')).toBeNull();
    expect(await records.load('file:a', 'm')).toBeNull(); // removed, not kept to fail again
    await records.save('file:b', 'm', { ...indexFor('file:b', 'm'), embeddings: new Int8Array(5) });
    expect(await loadSearchIndex(records, { identity: 'file:b', metadata }, 'm')).toBeNull();
    expect(isSlideSearchIndex({ ...indexFor('file:c', 'm'), format: 0 })).toBe(false);
    expect(isSlideSearchIndex({ ...indexFor('file:c', 'm'), cells: Uint32Array.from([1, 5, 1e6]) })).toBe(false);
    expect(isSlideSearchIndex(indexFor('file:c', 'm'))).toBe(true);
  });
});
