import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openSlideNode } from '../../../src/slide/open-slide-node';
import { readSlideOverview } from '../../../src/features/search/slide-overview';
import { planTileGrid, tileRect, cellsInRect, cellAt } from '../../../src/features/search/tile-grid';
import { MIN_TISSUE_SATURATION, otsuThreshold, saturationOf, tissueCells, tissueFractions, tissueMask } from '../../../src/features/search/tissue-mask';
import { memorySlide, tissuePicture, tissueSlideTiff } from './generated-slides';

/** Cells of `grid` whose tile lies wholly inside one of the rectangles (all given on tile boundaries). */
function expectedCells(grid: ReturnType<typeof planTileGrid>, tissue: { x: number; y: number; width: number; height: number }[]): number[] {
  const cells: number[] = [];
  for (let cell = 0; cell < grid.columns * grid.rows; cell++) {
    const r = tileRect(grid, cell);
    if (tissue.some((t) => r.x >= t.x && r.y >= t.y && r.x + r.width <= t.x + t.width && r.y + r.height <= t.y + t.height)) cells.push(cell);
  }
  return cells;
}

describe('tile grid', () => {
  it('tiles at the wanted magnification with the model image size, never above the scan', () => {
    const slide = { width: 10_000, height: 6_000, mppX: 0.25, mppY: 0.25 };
    const at20 = planTileGrid(slide, 20, 224);
    expect(at20).toMatchObject({ tileSideLevel0: 448, columns: 23, rows: 14, targetMpp: 0.5, magnification: 20, tileSidePixels: 224 });
    // A 20x scan asked for 40x is tiled at 20x (no upsampling).
    expect(planTileGrid({ ...slide, mppX: 0.5, mppY: 0.5 }, 40, 224)).toMatchObject({ tileSideLevel0: 224, magnification: 20, targetMpp: 0.5 });
    // No scale: full resolution.
    expect(planTileGrid({ ...slide, mppX: null, mppY: null }, 20, 224)).toMatchObject({ tileSideLevel0: 224, targetMpp: null, magnification: null });
    expect(() => planTileGrid(slide, 0, 224)).toThrow(/magnification/);
  });

  it('finds the cells under a point and inside a rectangle', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 10, max: 700, noNaN: true }),
        (width, height, side) => {
          const grid = { ...planTileGrid({ width, height, mppX: null, mppY: null }, 20, 32), tileSideLevel0: side };
          grid.columns = Math.ceil(width / side);
          grid.rows = Math.ceil(height / side);
          for (let cell = 0; cell < grid.columns * grid.rows; cell += Math.max(1, Math.floor((grid.columns * grid.rows) / 7))) {
            const r = tileRect(grid, cell);
            expect(cellAt(grid, r.x + r.width / 2, r.y + r.height / 2)).toBe(cell);
            expect(cellsInRect(grid, r)).toEqual([cell]);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('tissue mask', () => {
  it('Otsu splits a two-level picture between its levels, and saturation separates stain from glass', () => {
    const values = Uint8Array.from([...Array(300).fill(10), ...Array(100).fill(120)]);
    const t = otsuThreshold(values);
    expect(t).toBeGreaterThanOrEqual(10);
    expect(t).toBeLessThan(120);
    const pixels = { width: 3, height: 1, data: Uint8ClampedArray.from([242, 240, 244, 255, 226, 140, 190, 255, 0, 0, 0, 255]) };
    const saturation = saturationOf(pixels);
    expect(saturation[0]).toBeLessThan(MIN_TISSUE_SATURATION);
    expect(saturation[1]).toBeGreaterThan(80);
    expect(saturation[2]).toBe(0);
  });

  it('finds nothing on a slide that is all glass', () => {
    const mask = tissueMask({ width: 64, height: 64, data: new Uint8ClampedArray(tissuePictureRgba(64, 64)) });
    expect(mask.data.every((v) => v === 0)).toBe(true);
  });

  it('selects exactly the tiles inside known tissue areas (in-memory slide, 3 levels)', async () => {
    // 40x slide, 4096 x 3072; tissue on 448-px (20x, 224 px tiles) boundaries.
    const tissue = [
      { x: 448, y: 448, width: 1344, height: 896 },
      { x: 2688, y: 1344, width: 896, height: 1344 },
    ];
    const slide = memorySlide(tissuePicture(4096, 3072, tissue), { levels: 4 });
    const grid = planTileGrid(slide.metadata, 20, 224);
    const overview = await readSlideOverview(slide, 256);
    expect(overview.image.width).toBe(256);
    const fractions = tissueFractions(tissueMask(overview.image), grid, overview.downsampleX, overview.downsampleY);
    expect(Array.from(tissueCells(fractions, 0.5))).toEqual(expectedCells(grid, tissue));
    // Tissue area from the mask ≈ the drawn area (within the overview's pixel size).
    const area = Array.from(fractions).reduce((sum, f) => sum + f, 0) * grid.tileSideLevel0 ** 2;
    expect(area / (1344 * 896 + 896 * 1344)).toBeCloseTo(1, 1);
  });

  it('works on a real pyramidal TIFF opened by the app reader', async () => {
    const tissue = [{ x: 512, y: 256, width: 1024, height: 768 }];
    const bytes = await tissueSlideTiff(tissuePicture(2048, 1536, tissue));
    const slide = await openSlideNode({ name: 'tissue.svs', bytes });
    try {
      expect(slide.metadata.mppX).toBeCloseTo(0.25);
      const grid = planTileGrid(slide.metadata, 10, 32); // 10x: 1 µm/px, tiles of 128 level-0 px
      expect(grid.tileSideLevel0).toBe(128);
      const overview = await readSlideOverview(slide);
      const fractions = tissueFractions(tissueMask(overview.image), grid, overview.downsampleX, overview.downsampleY);
      expect(Array.from(tissueCells(fractions, 0.5))).toEqual(expectedCells(grid, tissue));
    } finally {
      await slide.close();
    }
  });
});

function tissuePictureRgba(width: number, height: number): Uint8ClampedArray {
  const rgb = tissuePicture(width, height, []);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) out.set([rgb.data[i * 3]!, rgb.data[i * 3 + 1]!, rgb.data[i * 3 + 2]!, 255], i * 4);
  return out;
}
