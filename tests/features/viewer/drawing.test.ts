import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRoi } from '../../../src/session/roi';
import { NO_DRAFT, drawingStep, type Draft, type DrawingContext, type DrawingEvent, type Tool } from '../../../src/features/viewer/drawing';

function run(tool: Tool, events: DrawingEvent[]) {
  const context: DrawingContext = { tool, imageWidth: 1000, imageHeight: 800, snapDistance: 5 };
  let draft: Draft = NO_DRAFT;
  const finished = [];
  for (const event of events) {
    const result = drawingStep(context, draft, event);
    draft = result.draft;
    if (result.finished) finished.push(result.finished);
  }
  return { draft, finished };
}

const down = (x: number, y: number): DrawingEvent => ({ type: 'down', point: { x, y } });
const move = (x: number, y: number): DrawingEvent => ({ type: 'move', point: { x, y } });
const up = (x: number, y: number): DrawingEvent => ({ type: 'up', point: { x, y } });

describe('drawing tools', () => {
  it('rectangle: a drag makes a rectangle clamped to the image', () => {
    const { finished, draft } = run('rectangle', [down(900, 100), move(950, 150), up(1200, 50)]);
    expect(finished).toEqual([{ kind: 'rectangle', rect: { x: 900, y: 50, width: 100, height: 50 } }]);
    expect(draft).toEqual(NO_DRAFT);
  });

  it('rectangle: a click without a drag makes nothing', () => {
    expect(run('rectangle', [down(10, 10), up(12, 11)]).finished).toEqual([]);
  });

  it('ellipse: a drag makes an ellipse stored as its rectangle; point: a click makes a point mark', () => {
    expect(run('ellipse', [down(10, 10), move(50, 40), up(60, 50)]).finished).toEqual([{ kind: 'ellipse', rect: { x: 10, y: 10, width: 50, height: 40 } }]);
    expect(run('point', [down(1500, 20), up(1500, 20)]).finished).toEqual([{ kind: 'points', points: [{ x: 1000, y: 20 }] }]);
    expect(run('select', [down(10, 10), move(50, 40), up(60, 50)]).finished).toEqual([]);
  });

  it('polygon: clicks add vertices, clicking the first vertex closes it', () => {
    const { finished } = run('polygon', [down(0, 0), up(0, 0), down(100, 0), down(100, 100), down(2, 1)]);
    expect(finished).toEqual([
      {
        kind: 'polygon',
        points: [
          { x: 0, y: 0 },
          { x: 100, y: 0 },
          { x: 100, y: 100 },
        ],
      },
    ]);
  });

  it('polygon: a double-click closes without adding a duplicate vertex; Enter also closes', () => {
    const dbl = run('polygon', [down(0, 0), down(100, 0), down(100, 100), down(100, 100), { type: 'double-click' }]);
    expect(dbl.finished[0]).toEqual({
      kind: 'polygon',
      points: [
        { x: 0, y: 0 },
        { x: 100, y: 0 },
        { x: 100, y: 100 },
      ],
    });
    expect(run('polygon', [down(0, 0), down(50, 0), down(0, 50), { type: 'key', key: 'Enter' }]).finished).toHaveLength(1);
  });

  it('polygon: fewer than three vertices never closes; Backspace removes, Escape cancels', () => {
    expect(run('polygon', [down(0, 0), down(50, 0), { type: 'key', key: 'Enter' }]).finished).toEqual([]);
    const back = run('polygon', [down(0, 0), down(50, 0), { type: 'key', key: 'Backspace' }]);
    expect(back.draft).toMatchObject({ kind: 'polygon', points: [{ x: 0, y: 0 }] });
    expect(run('polygon', [down(0, 0), down(50, 0), { type: 'key', key: 'Escape' }]).draft).toEqual(NO_DRAFT);
  });

  it('ruler: measures without producing a region, and stays until Escape', () => {
    const measured = run('ruler', [down(0, 0), move(30, 40), up(300, 400)]);
    expect(measured.finished).toEqual([]);
    expect(measured.draft).toEqual({ kind: 'ruler', start: { x: 0, y: 0 }, end: { x: 300, y: 400 }, dragging: false });
    expect(run('ruler', [down(0, 0), up(3, 4), { type: 'key', key: 'Escape' }]).draft).toEqual(NO_DRAFT);
  });

  it('pan: draws nothing', () => {
    expect(run('pan', [down(0, 0), up(100, 100)])).toEqual({ draft: NO_DRAFT, finished: [] });
  });
});

describe('drawing tools under any input', () => {
  it('only ever finish valid shapes inside the image', () => {
    const point = fc.record({ x: fc.double({ min: -500, max: 1500, noNaN: true }), y: fc.double({ min: -500, max: 1300, noNaN: true }) });
    const event: fc.Arbitrary<DrawingEvent> = fc.oneof(
      point.map((p) => ({ type: 'down' as const, point: p })),
      point.map((p) => ({ type: 'move' as const, point: p })),
      point.map((p) => ({ type: 'up' as const, point: p })),
      fc.constant({ type: 'double-click' as const }),
      fc.constantFrom('Enter', 'Escape', 'Backspace', 'x').map((key) => ({ type: 'key' as const, key })),
    );
    fc.assert(
      fc.property(
        fc.constantFrom<Tool>('pan', 'select', 'rectangle', 'ellipse', 'polygon', 'point', 'ruler'),
        fc.array(event, { maxLength: 40 }),
        (tool, events) => {
          const { finished } = run(tool, events);
          for (const shape of finished) {
            expect(isRoi({ id: 'x', name: 'x', createdAt: 0, shape })).toBe(true);
            const points =
              shape.kind === 'rectangle' || shape.kind === 'ellipse'
                ? [shape.rect, { x: shape.rect.x + shape.rect.width, y: shape.rect.y + shape.rect.height }]
                : shape.points;
            for (const p of points) {
              expect(p.x).toBeGreaterThanOrEqual(0);
              expect(p.x).toBeLessThanOrEqual(1000);
              expect(p.y).toBeGreaterThanOrEqual(0);
              expect(p.y).toBeLessThanOrEqual(800);
            }
          }
          if (tool === 'pan' || tool === 'select' || tool === 'ruler') expect(finished).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
