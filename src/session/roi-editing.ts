/**
 * Editing drawn regions: which region a click lands on, moving a whole region, and dragging one of its handles
 * (a polygon's vertex, a point, a rectangle's or an ellipse's corner, which resizes it). Pure, in level-0 pixels.
 */
import { polygonArea, rectFromCorners, rectToPolygon, type Point, type Rect } from './geometry';
import { roiBounds, roiPolygon, type Roi, type RoiShape } from './roi';

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Even-odd ray casting: whether `p` lies inside the closed polygon. */
export function pointInPolygon(p: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i]!;
    const b = polygon[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Whether a click at `p` lands on the shape: inside it, or within `tolerance` of its outline or of a point. */
export function shapeContains(shape: RoiShape, p: Point, tolerance: number): boolean {
  const outline = roiPolygon(shape);
  if (shape.kind === 'points') return outline.some((q) => Math.hypot(q.x - p.x, q.y - p.y) <= tolerance);
  if (pointInPolygon(p, outline)) return true;
  return outline.some((a, i) => distanceToSegment(p, a, outline[(i + 1) % outline.length]!) <= tolerance);
}

/**
 * The visible region a click at `p` selects; where regions overlap the smallest wins, so a region drawn inside a
 * larger one can still be picked. Null when the click hits none.
 */
export function hitTestRoi(rois: readonly Roi[], p: Point, tolerance: number, isVisible: (roi: Roi) => boolean = (roi) => !roi.hidden): Roi | null {
  let best: Roi | null = null;
  let bestArea = Infinity;
  for (const roi of rois) {
    if (!isVisible(roi) || !shapeContains(roi.shape, p, tolerance)) continue;
    const area = roi.shape.kind === 'points' ? 0 : polygonArea(roiPolygon(roi.shape));
    // Later regions are drawn on top: on equal areas the later one wins.
    if (area <= bestArea) {
      best = roi;
      bestArea = area;
    }
  }
  return best;
}

function moveRect(rect: Rect, dx: number, dy: number): Rect {
  return { ...rect, x: rect.x + dx, y: rect.y + dy };
}

export function moveShape(shape: RoiShape, dx: number, dy: number): RoiShape {
  if (shape.kind === 'rectangle' || shape.kind === 'ellipse') return { kind: shape.kind, rect: moveRect(shape.rect, dx, dy) };
  return { kind: shape.kind, points: shape.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) };
}

/** The move (dx, dy) limited so the shape's bounds stay inside a `width` x `height` image. */
export function clampMove(shape: RoiShape, dx: number, dy: number, width: number, height: number): { dx: number; dy: number } {
  const b = roiBounds(shape);
  return {
    dx: Math.min(Math.max(dx, -b.x), width - b.x - b.width),
    dy: Math.min(Math.max(dy, -b.y), height - b.y - b.height),
  };
}

/** The handles a user can drag: a rectangle's or ellipse's four bounding corners, a polygon's vertices, the points. */
export function shapeHandles(shape: RoiShape): Point[] {
  return shape.kind === 'rectangle' || shape.kind === 'ellipse' ? rectToPolygon(shape.rect) : shape.points;
}

/** Index of the handle within `tolerance` of `p` (the nearest), or -1. */
export function handleAt(shape: RoiShape, p: Point, tolerance: number): number {
  let best = -1;
  let bestDistance = tolerance;
  shapeHandles(shape).forEach((h, i) => {
    const distance = Math.hypot(h.x - p.x, h.y - p.y);
    if (distance <= bestDistance) {
      best = i;
      bestDistance = distance;
    }
  });
  return best;
}

/**
 * The shape with handle `index` dragged to `p`. A rectangle's or ellipse's corner resizes it against the opposite
 * corner (dragging past it flips the box rather than giving it a negative size).
 */
export function moveHandle(shape: RoiShape, index: number, p: Point): RoiShape {
  if (shape.kind === 'rectangle' || shape.kind === 'ellipse') {
    const opposite = rectToPolygon(shape.rect)[(index + 2) % 4];
    if (!opposite) return shape;
    return { kind: shape.kind, rect: rectFromCorners(opposite, p) };
  }
  if (index < 0 || index >= shape.points.length) return shape;
  return { kind: shape.kind, points: shape.points.map((q, i) => (i === index ? { x: p.x, y: p.y } : q)) };
}

/**
 * A point-tool click with a set of points selected: as in QuPath, the click adds to that set (one region, one
 * class, one count) instead of starting a new one. Returns the grown shape, or null when a new set should start
 * (nothing selected, another kind of region, or a hidden or locked set).
 */
export function addToSelectedPoints(selected: Roi | null, added: RoiShape): RoiShape | null {
  if (!selected || added.kind !== 'points' || selected.shape.kind !== 'points' || selected.hidden || selected.locked) return null;
  return { kind: 'points', points: [...selected.shape.points, ...added.points] };
}
