import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clampToImage,
  formatArea,
  formatMicrons,
  imageToScreen,
  pathLength,
  pathLengthMicrons,
  polygonArea,
  polygonAreaMm2,
  rectFromCorners,
  rectToPolygon,
  screenToImage,
  transformFromPoints,
} from '../../src/session/geometry';

describe('geometry', () => {
  it('computes polygon areas with the shoelace formula, either winding', () => {
    const square = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 10 },
      { x: 0, y: 10 },
    ];
    expect(polygonArea(square)).toBe(100);
    expect(polygonArea([...square].reverse())).toBe(100);
    const lShape = [
      { x: 0, y: 0 },
      { x: 4, y: 0 },
      { x: 4, y: 1 },
      { x: 1, y: 1 },
      { x: 1, y: 3 },
      { x: 0, y: 3 },
    ];
    expect(polygonArea(lShape)).toBe(6);
    expect(
      polygonArea([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]),
    ).toBe(0);
  });

  it('gives areas in mm² from the pixel size, honouring non-square pixels', () => {
    // 4000 x 4000 px at 0.25 µm/px = 1 mm x 1 mm
    expect(polygonAreaMm2(rectToPolygon({ x: 5, y: 7, width: 4000, height: 4000 }), { mppX: 0.25, mppY: 0.25 })).toBeCloseTo(1);
    expect(polygonAreaMm2(rectToPolygon({ x: 0, y: 0, width: 1000, height: 1000 }), { mppX: 0.5, mppY: 2 })).toBeCloseTo(1);
    expect(polygonAreaMm2(rectToPolygon({ x: 0, y: 0, width: 10, height: 10 }), { mppX: null, mppY: null })).toBeNull();
  });

  it('measures lengths in µm', () => {
    expect(
      pathLength([
        { x: 0, y: 0 },
        { x: 3, y: 4 },
        { x: 3, y: 10 },
      ]),
    ).toBe(11);
    expect(
      pathLengthMicrons(
        [
          { x: 0, y: 0 },
          { x: 300, y: 400 },
        ],
        { mppX: 0.25, mppY: 0.25 },
      ),
    ).toBeCloseTo(125);
    expect(
      pathLengthMicrons(
        [
          { x: 0, y: 0 },
          { x: 100, y: 0 },
        ],
        { mppX: 0.5, mppY: 2 },
      ),
    ).toBeCloseTo(50);
    expect(
      pathLengthMicrons(
        [
          { x: 0, y: 0 },
          { x: 1, y: 0 },
        ],
        { mppX: null, mppY: 0.5 },
      ),
    ).toBeNull();
  });

  it('formats areas and lengths', () => {
    expect(formatArea(1.23456)).toBe('1.23 mm²');
    expect(formatArea(0.0005)).toBe('500 µm²');
    expect(formatArea(null)).toBe('unknown scale');
    expect(formatMicrons(125)).toBe('125 µm');
    expect(formatMicrons(1500)).toBe('1.5 mm');
  });

  it('normalises rectangles dragged in any direction', () => {
    expect(rectFromCorners({ x: 10, y: 2 }, { x: 4, y: 8 })).toEqual({ x: 4, y: 2, width: 6, height: 6 });
  });

  it('maps image and screen coordinates back and forth', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e5, max: 1e5, noNaN: true }),
        fc.double({ min: -1e5, max: 1e5, noNaN: true }),
        fc.double({ min: 1e-4, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        (originX, originY, scale, x, y) => {
          const t = { originX, originY, scale };
          const back = screenToImage(t, imageToScreen(t, { x, y }));
          expect(back.x).toBeCloseTo(x, 4);
          expect(back.y).toBeCloseTo(y, 4);
        },
      ),
    );
  });

  it('recovers a transform from two point pairs', () => {
    const t = transformFromPoints({ x: 100, y: 200 }, { x: 0, y: 0 }, { x: 300, y: 200 }, { x: 50, y: 0 });
    expect(t.scale).toBeCloseTo(0.25);
    expect(t.originX).toBeCloseTo(100);
    expect(t.originY).toBeCloseTo(200);
    expect(imageToScreen(t, { x: 500, y: 600 })).toEqual({ x: 100, y: 100 });
  });

  it('clamps points to the image', () => {
    expect(clampToImage({ x: -5, y: 50 }, 40, 30)).toEqual({ x: 0, y: 30 });
  });
});
