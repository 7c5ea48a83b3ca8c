import { describe, expect, it } from 'vitest';
import { colourAt, heatmapImage } from '../../../src/features/search/heatmap';
import { planTileGrid } from '../../../src/features/search/tile-grid';

describe('heatmap picture', () => {
  it('colours indexed cells along the scale and leaves background transparent', () => {
    const grid = planTileGrid({ width: 300, height: 200, mppX: null, mppY: null }, 20, 100); // 3 x 2 cells
    const image = heatmapImage({ grid, cells: Uint32Array.from([0, 4, 5]) }, Float32Array.from([0.1, 0.3, 0.2]), 'viridis', { min: 0.1, max: 0.3 });
    expect([image.width, image.height]).toEqual([3, 2]);
    const pixel = (cell: number) => Array.from(image.data.subarray(cell * 4, cell * 4 + 4));
    expect(pixel(0)).toEqual([...colourAt('viridis', 0), 255]);
    expect(pixel(4)).toEqual([...colourAt('viridis', 1), 255]);
    expect(pixel(5)).toEqual([...colourAt('viridis', 0.5), 255]);
    for (const cell of [1, 2, 3]) expect(pixel(cell)[3]).toBe(0);
  });

  it('interpolates between anchors and clamps outside [0, 1]', () => {
    expect(colourAt('blue-red', -3)).toEqual(colourAt('blue-red', 0));
    expect(colourAt('blue-red', 7)).toEqual([165, 0, 38]);
    expect(colourAt('inferno', 0.125)).toEqual([44, 8, 57]);
  });
});
