import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { PathoClipRuntime } from '../../../src/inference/pathoclip-runtime';
import { blocksOf, buildSlideIndex, cropSquare, NoTissueError } from '../../../src/features/search/index-builder';
import type { IndexingProgress } from '../../../src/features/search/indexing-progress';
import { dequantize } from '../../../src/features/search/slide-index';
import { planTileGrid, tileRect } from '../../../src/features/search/tile-grid';
import { colourEngine } from './colour-engine';
import { memorySlide, tissuePicture } from './generated-slides';

const tissue = [
  { x: 256, y: 256, width: 768, height: 512 },
  { x: 1536, y: 1024, width: 512, height: 512 },
];

describe('building a slide index', () => {
  it('embeds exactly the tissue tiles in batches, with progress, the pixels of each tile as readRegion gives them', async () => {
    const slide = memorySlide(tissuePicture(2560, 1792, tissue));
    const engine = colourEngine();
    const progress: IndexingProgress[] = [];
    const index = await buildSlideIndex({
      source: slide,
      slideIdentity: 'file:a',
      engine,
      magnification: 10,
      batchSize: 7,
      blockTiles: 4,
      onProgress: (p) => progress.push(p),
    });
    const batches = [...engine.batches];
    const grid = planTileGrid(slide.metadata, 10, 32);
    expect(index.grid).toEqual(grid);
    expect(index.modelKey).toBe('colour:fp32/fp32');
    // 10x on a 40x slide with 32-px tiles: 128 level-0 px per tile, so the areas are (6 x 4) + (4 x 4) tiles.
    expect(index.cells.length).toBe(24 + 16);
    expect(index.cells.every((cell, i) => i === 0 || cell > index.cells[i - 1]!)).toBe(true);
    for (const [tile, cell] of index.cells.entries()) {
      const rect = tileRect(grid, cell);
      expect(tissue.some((t) => rect.x >= t.x && rect.y >= t.y && rect.x + rect.width <= t.x + t.width && rect.y + rect.height <= t.y + t.height)).toBe(true);
      if (tile % 9 === 0) {
        const direct = await engine.embedImages([await slide.readRegion(rect, grid.targetMpp)]);
        const stored = dequantize(index, tile);
        expect(stored.reduce((sum, v, i) => sum + v * direct[0]![i]!, 0)).toBeGreaterThan(0.999);
      }
    }
    expect(batches.slice(0, -1).every((size) => size === 7)).toBe(true);
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(40);
    expect(new Set(engine.sizes)).toEqual(new Set(['32x32']));
    const embedding = progress.filter((p) => p.phase === 'embedding');
    expect(progress[0]!.phase).toBe('finding tissue');
    expect(embedding.map((p) => p.done)).toEqual(embedding.map((p) => p.done).sort((a, b) => a - b));
    expect(embedding.at(-1)).toMatchObject({ done: 40, total: 40, secondsLeft: 0 });
  });

  it('reads blocks of tiles, not one region per tile', async () => {
    const slide = memorySlide(tissuePicture(2560, 1792, tissue));
    const grid = planTileGrid(slide.metadata, 10, 32);
    const index = await buildSlideIndex({ source: slide, slideIdentity: 'file:a', engine: colourEngine(), magnification: 10, blockTiles: 8 });
    expect(slide.reads.regions).toBe(blocksOf(grid, index.cells, 8).length);
    expect(slide.reads.regions).toBeLessThan(index.cells.length / 4);
  });

  it('stops when cancelled and says when a slide has no tissue', async () => {
    const slide = memorySlide(tissuePicture(2560, 1792, tissue));
    const controller = new AbortController();
    const run = buildSlideIndex({
      source: slide,
      slideIdentity: 'file:a',
      engine: colourEngine(),
      magnification: 10,
      batchSize: 4,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 8) controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
    await expect(
      buildSlideIndex({ source: memorySlide(tissuePicture(1024, 1024, [])), slideIdentity: 'file:b', engine: colourEngine(), magnification: 10 }),
    ).rejects.toThrow(NoTissueError);
  });

  it('crops squares padded with glass', () => {
    const image = { width: 3, height: 2, data: new Uint8ClampedArray(24).fill(7) };
    const square = cropSquare(image, 1, 1, 3);
    expect(Array.from(square.data.subarray(0, 12))).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 255, 255, 255, 255]);
    expect(square.data.subarray(12).every((v) => v === 255)).toBe(true);
  });
});

describe('building an index with the tiny PathoCLIP through the app runtime', () => {
  let runtime: PathoClipRuntime;
  beforeAll(async () => {
    runtime = await PathoClipRuntime.load({
      modelRoot: path.resolve('models/tiny') + '/',
      modelName: 'pathoclip',
      imageDtype: 'fp32',
      textDtype: 'fp32',
      device: 'cpu',
    });
  }, 60_000);
  afterAll(async () => runtime?.dispose());

  it('stores each tissue tile as the model embeds that tile on its own (int8 cosine >= 0.999)', async () => {
    const slide = memorySlide(tissuePicture(2560, 1792, tissue));
    const index = await buildSlideIndex({ source: slide, slideIdentity: 'file:a', engine: runtime, magnification: 10, batchSize: 16 });
    expect(index.embedDim).toBe(runtime.info.embedDim);
    expect(index.grid.tileSidePixels).toBe(runtime.info.imageSize);
    expect(index.cells.length).toBe(40);
    for (const tile of [0, 13, 39]) {
      const [direct] = await runtime.embedImages([await slide.readRegion(tileRect(index.grid, index.cells[tile]!), index.grid.targetMpp)]);
      const stored = dequantize(index, tile);
      const cosine = stored.reduce((sum, v, i) => sum + v * direct![i]!, 0) / Math.hypot(...stored);
      expect(cosine).toBeGreaterThan(0.999);
    }
  });
});
