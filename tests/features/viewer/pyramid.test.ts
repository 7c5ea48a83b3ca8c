import { describe, expect, it } from 'vitest';
import { viewerLevels } from '../../../src/features/viewer/pyramid';

const level = (width: number, height: number, tile = 256) => ({ width, height, downsample: 46000 / width, tileWidth: tile, tileHeight: tile });

describe('viewer levels', () => {
  it('orders an Aperio 1/4/16 pyramid coarsest first with each level its own scale and grid', () => {
    const levels = viewerLevels({ width: 46000, levels: [level(46000, 32914), level(11500, 8228), level(2875, 2057)] });
    expect(levels.map((l) => l.slideLevel)).toEqual([2, 1, 0]);
    expect(levels.map((l) => l.scale)).toEqual([0.0625, 0.25, 1]);
    expect(levels[0]).toMatchObject({ columns: 12, rows: 9 });
    expect(levels[2]).toMatchObject({ columns: 180, rows: 129 });
  });

  it('handles a single-level image smaller than one tile', () => {
    expect(viewerLevels({ width: 16, levels: [{ width: 16, height: 16, downsample: 1, tileWidth: 64, tileHeight: 64 }] })).toEqual([
      { slideLevel: 0, scale: 1, width: 16, height: 16, tileWidth: 64, tileHeight: 64, columns: 1, rows: 1 },
    ]);
  });

  it('leaves out empty or tile-less levels and duplicates', () => {
    const levels = viewerLevels({
      width: 1000,
      levels: [level(1000, 800), level(1000, 800), { ...level(500, 400), tileWidth: 0 }, level(0, 0), level(250, 200)],
    });
    expect(levels.map((l) => l.slideLevel)).toEqual([4, 0]);
  });
});
