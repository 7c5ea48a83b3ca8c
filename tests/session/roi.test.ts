import { describe, expect, it } from 'vitest';
import { cleanRoiName, defaultRoiName, isRoi, roiAreaMm2, roiBounds, type Roi } from '../../src/session/roi';

const rect = (name: string): Roi => ({ id: name, name, createdAt: 1, shape: { kind: 'rectangle', rect: { x: 0, y: 0, width: 4000, height: 2000 } } });

describe('roi', () => {
  it('names new regions one past the highest number of their kind', () => {
    expect(defaultRoiName('rectangle', [])).toBe('Rectangle 1');
    expect(defaultRoiName('rectangle', [rect('Rectangle 1'), rect('Rectangle 7'), rect('Tumour')])).toBe('Rectangle 8');
    expect(defaultRoiName('polygon', [rect('Rectangle 2')])).toBe('Polygon 1');
  });

  it('measures rectangles and polygons in mm²', () => {
    expect(roiAreaMm2(rect('a').shape, { mppX: 0.25, mppY: 0.25 })).toBeCloseTo(0.5);
    const triangle = {
      kind: 'polygon' as const,
      points: [
        { x: 0, y: 0 },
        { x: 4000, y: 0 },
        { x: 0, y: 4000 },
      ],
    };
    expect(roiAreaMm2(triangle, { mppX: 0.25, mppY: 0.25 })).toBeCloseTo(0.5);
    expect(roiAreaMm2(triangle, { mppX: null, mppY: null })).toBeNull();
    expect(roiBounds(triangle)).toEqual({ x: 0, y: 0, width: 4000, height: 4000 });
  });

  it('cleans typed names', () => {
    expect(cleanRoiName('  Tumour   front ', 'Rectangle 1')).toBe('Tumour front');
    expect(cleanRoiName('   ', 'Rectangle 1')).toBe('Rectangle 1');
    expect(cleanRoiName('x'.repeat(200), 'R')).toHaveLength(80);
  });

  it('accepts stored ROIs and rejects damaged ones', () => {
    expect(isRoi(rect('a'))).toBe(true);
    expect(
      isRoi({
        ...rect('a'),
        shape: {
          kind: 'polygon',
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
      }),
    ).toBe(false);
    expect(isRoi({ ...rect('a'), shape: { kind: 'rectangle', rect: { x: 0, y: 0, width: -1, height: 2 } } })).toBe(false);
    expect(isRoi({ ...rect('a'), shape: { kind: 'circle' } })).toBe(false);
    expect(isRoi({ ...rect('a'), name: 3 })).toBe(false);
    expect(isRoi(null)).toBe(false);
  });
});
