import { describe, expect, it } from 'vitest';
import { addToSelectedPoints, clampMove, handleAt, hitTestRoi, moveHandle, moveShape, pointInPolygon, shapeContains } from '../../src/session/roi-editing';
import { emptyHistory, recordChange, redo, undo, HISTORY_LIMIT } from '../../src/session/roi-history';
import { isRoi, roiAreaMm2, roiPolygon, type Roi, type RoiShape } from '../../src/session/roi';
import { visibleLabels } from '../../src/features/viewer/label-layout';

const roi = (id: string, shape: RoiShape, extra: Partial<Roi> = {}): Roi => ({ id, name: id, createdAt: 0, shape, ...extra });
const big = roi('big', { kind: 'rectangle', rect: { x: 0, y: 0, width: 100, height: 100 } });
const small = roi('small', { kind: 'ellipse', rect: { x: 40, y: 40, width: 20, height: 10 } });
const triangle = roi('tri', {
  kind: 'polygon',
  points: [
    { x: 200, y: 0 },
    { x: 300, y: 0 },
    { x: 200, y: 100 },
  ],
});
const dot = roi('dot', { kind: 'points', points: [{ x: 500, y: 500 }] });

describe('region hit-testing', () => {
  it('finds the region under a click, the smallest where they nest, and skips hidden ones', () => {
    expect(pointInPolygon({ x: 210, y: 10 }, roiPolygon(triangle.shape))).toBe(true);
    expect(pointInPolygon({ x: 290, y: 90 }, roiPolygon(triangle.shape))).toBe(false);
    const all = [big, small, triangle, dot];
    expect(hitTestRoi(all, { x: 10, y: 10 }, 2)?.id).toBe('big');
    expect(hitTestRoi(all, { x: 50, y: 45 }, 2)?.id).toBe('small');
    expect(hitTestRoi(all, { x: 41, y: 41 }, 0.5)?.id).toBe('big'); // outside the ellipse, inside its box
    expect(hitTestRoi(all, { x: 503, y: 500 }, 4)?.id).toBe('dot');
    expect(hitTestRoi(all, { x: 510, y: 500 }, 4)).toBeNull();
    expect(hitTestRoi(all, { x: 102, y: 50 }, 3)?.id).toBe('big'); // near the outline counts
    expect(hitTestRoi([big, { ...small, hidden: true }], { x: 50, y: 45 }, 2)?.id).toBe('big');
    expect(shapeContains(triangle.shape, { x: 260, y: 60 }, 1)).toBe(false);
  });
});

describe('moving and editing', () => {
  it('moves every kind of shape and keeps it inside the image', () => {
    expect(moveShape(big.shape, 5, -3)).toEqual({ kind: 'rectangle', rect: { x: 5, y: -3, width: 100, height: 100 } });
    expect(moveShape(triangle.shape, 1, 1)).toEqual({
      kind: 'polygon',
      points: [
        { x: 201, y: 1 },
        { x: 301, y: 1 },
        { x: 201, y: 101 },
      ],
    });
    expect(clampMove(big.shape, -50, 500, 1000, 150)).toEqual({ dx: -0, dy: 50 });
  });

  it('drags a vertex, and a rectangle or ellipse corner resizes against the opposite corner', () => {
    expect(handleAt(triangle.shape, { x: 299, y: 2 }, 3)).toBe(1);
    expect(handleAt(triangle.shape, { x: 250, y: 50 }, 3)).toBe(-1);
    expect(moveHandle(triangle.shape, 1, { x: 350, y: 20 })).toEqual({
      kind: 'polygon',
      points: [
        { x: 200, y: 0 },
        { x: 350, y: 20 },
        { x: 200, y: 100 },
      ],
    });
    // Corner 2 is bottom-right: the top-left corner stays.
    expect(moveHandle(big.shape, 2, { x: 40, y: 30 })).toEqual({ kind: 'rectangle', rect: { x: 0, y: 0, width: 40, height: 30 } });
    // Dragged past the opposite corner the box flips instead of getting a negative size.
    expect(moveHandle(small.shape, 0, { x: 70, y: 60 })).toEqual({ kind: 'ellipse', rect: { x: 60, y: 50, width: 10, height: 10 } });
  });

  it('measures ellipses exactly and stores the new shapes validly', () => {
    expect(roiAreaMm2({ kind: 'ellipse', rect: { x: 0, y: 0, width: 2000, height: 1000 } }, { mppX: 1, mppY: 1 })).toBeCloseTo((Math.PI * 1000 * 500) / 1e6);
    expect(isRoi(small)).toBe(true);
    expect(isRoi(dot)).toBe(true);
    expect(isRoi({ ...dot, shape: { kind: 'points', points: [] } })).toBe(false);
    expect(isRoi({ ...big, className: 3 })).toBe(false);
    expect(isRoi({ ...big, className: 'Tumor', hidden: true, measurements: { 'Area µm^2': 4 } })).toBe(true);
  });
});

describe('undo/redo stack', () => {
  it('steps back and forth, drops redo after a new change and keeps at most the limit', () => {
    let h = recordChange(emptyHistory<number>(), 0);
    h = recordChange(h, 1);
    const back = undo(h, 2)!;
    expect(back.state).toBe(1);
    const back2 = undo(back.history, 1)!;
    expect(back2.state).toBe(0);
    expect(undo(back2.history, 0)).toBeNull();
    const forward = redo(back2.history, 0)!;
    expect(forward.state).toBe(1);
    expect(recordChange(forward.history, 1).future).toEqual([]);
    let long = emptyHistory<number>();
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) long = recordChange(long, i);
    expect(long.past).toHaveLength(HISTORY_LIMIT);
    expect(long.past[0]).toBe(20);
  });
});

describe('label declutter', () => {
  it('hides labels that would overlap or whose region is tiny, keeping the selected one', () => {
    const label = (id: string, x: number, regionSize: number, selected = false) => ({ id, x, y: 0, width: 50, height: 14, regionSize, selected });
    const shown = visibleLabels([label('a', 0, 100), label('b', 20, 200), label('c', 200, 10), label('d', 400, 300), label('e', 410, 5, true)]);
    expect([...shown].sort()).toEqual(['b', 'e']);
  });

  it('a point-tool click adds to the selected set of points, and starts a new set otherwise', () => {
    const click: RoiShape = { kind: 'points', points: [{ x: 5, y: 6 }] };
    const cells = roi('cells', { kind: 'points', points: [{ x: 1, y: 2 }] });
    expect(addToSelectedPoints(cells, click)).toEqual({
      kind: 'points',
      points: [
        { x: 1, y: 2 },
        { x: 5, y: 6 },
      ],
    });
    expect(addToSelectedPoints(null, click)).toBeNull();
    expect(addToSelectedPoints(big, click)).toBeNull();
    expect(addToSelectedPoints({ ...cells, locked: true }, click)).toBeNull();
    expect(addToSelectedPoints({ ...cells, hidden: true }, click)).toBeNull();
    // Only points grow a set: a rectangle drawn with a set selected is a region of its own.
    expect(addToSelectedPoints(cells, big.shape)).toBeNull();
  });
});
