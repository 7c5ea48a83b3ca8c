/**
 * The ROI tools as a pure state machine: pointer and key events in image coordinates go in, a draft to draw
 * and (when a shape is complete) a finished shape come out. The overlay component only forwards events.
 */
import { clampToImage, rectFromCorners, type Point } from '../../session/geometry';
import type { RoiShape } from '../../session/roi';

export type Tool = 'pan' | 'rectangle' | 'polygon' | 'ruler';

/** The tools, declared once: the toolbar, the key handler and OpenSeadragon's key filter all read this list. */
export const VIEWER_TOOLS: readonly { tool: Tool; label: string; key: 'Escape' | 'R' | 'P' | 'L' }[] = [
  { tool: 'pan', label: 'Pan', key: 'Escape' },
  { tool: 'rectangle', label: 'Rectangle', key: 'R' },
  { tool: 'polygon', label: 'Polygon', key: 'P' },
  { tool: 'ruler', label: 'Ruler', key: 'L' },
];

/** Letter keys (lower case) that pick a tool; Escape (back to pan) is handled with drafts in mind. */
export const TOOL_KEYS: Record<string, Tool> = Object.fromEntries(
  VIEWER_TOOLS.filter(({ key }) => key !== 'Escape').map(({ tool, key }) => [key.toLowerCase(), tool]),
);

/**
 * KeyboardEvent.code values OpenSeadragon must leave to the app: the tool letters, and F, which OpenSeadragon
 * would take to flip the slide (a mirrored slide misleads a reader).
 */
export const APP_KEY_CODES: readonly string[] = [...VIEWER_TOOLS.filter(({ key }) => key !== 'Escape').map(({ key }) => `Key${key}`), 'KeyF'];

export type Draft =
  | { kind: 'none' }
  | { kind: 'rectangle'; start: Point; current: Point }
  | { kind: 'polygon'; points: Point[]; cursor: Point | null }
  /** A ruler stays on screen after the drag (it is a measurement, never saved) until the next one or Escape. */
  | { kind: 'ruler'; start: Point; end: Point; dragging: boolean };

export type DrawingEvent =
  { type: 'down'; point: Point } | { type: 'move'; point: Point } | { type: 'up'; point: Point } | { type: 'double-click' } | { type: 'key'; key: string };

export interface DrawingContext {
  tool: Tool;
  imageWidth: number;
  imageHeight: number;
  /** Image pixels within which a click counts as "on" a vertex (the caller converts from screen pixels). */
  snapDistance: number;
}

export interface DrawingResult {
  draft: Draft;
  finished: RoiShape | null;
}

export const NO_DRAFT: Draft = { kind: 'none' };

const keep = (draft: Draft): DrawingResult => ({ draft, finished: null });

function near(a: Point, b: Point, distance: number): boolean {
  return Math.hypot(a.x - b.x, a.y - b.y) <= distance;
}

function closePolygon(points: Point[]): DrawingResult {
  return points.length >= 3 ? { draft: NO_DRAFT, finished: { kind: 'polygon', points } } : keep({ kind: 'polygon', points, cursor: null });
}

export function drawingStep(context: DrawingContext, draft: Draft, event: DrawingEvent): DrawingResult {
  if (event.type === 'key' && event.key === 'Escape') return keep(NO_DRAFT);
  const clamp = (p: Point) => clampToImage(p, context.imageWidth, context.imageHeight);

  switch (context.tool) {
    case 'pan':
      return keep(NO_DRAFT);

    case 'rectangle': {
      if (event.type === 'down') return keep({ kind: 'rectangle', start: clamp(event.point), current: clamp(event.point) });
      if (draft.kind !== 'rectangle') return keep(draft);
      if (event.type === 'move') return keep({ ...draft, current: clamp(event.point) });
      if (event.type === 'up') {
        const rect = rectFromCorners(draft.start, clamp(event.point));
        // A click without a drag is not a region.
        if (rect.width < context.snapDistance || rect.height < context.snapDistance || rect.width < 1 || rect.height < 1) return keep(NO_DRAFT);
        return { draft: NO_DRAFT, finished: { kind: 'rectangle', rect } };
      }
      return keep(draft);
    }

    case 'polygon': {
      const points = draft.kind === 'polygon' ? draft.points : [];
      if (event.type === 'down') {
        const point = clamp(event.point);
        const first = points[0];
        if (first && points.length >= 3 && near(point, first, context.snapDistance)) return closePolygon(points);
        const last = points[points.length - 1];
        // The second click of a double-click lands on the vertex just added.
        if (last && near(point, last, context.snapDistance)) return keep({ kind: 'polygon', points, cursor: point });
        return keep({ kind: 'polygon', points: [...points, point], cursor: point });
      }
      if (draft.kind !== 'polygon') return keep(draft);
      if (event.type === 'move') return keep({ ...draft, cursor: clamp(event.point) });
      if (event.type === 'double-click' || (event.type === 'key' && event.key === 'Enter')) return closePolygon(points);
      if (event.type === 'key' && event.key === 'Backspace') {
        const fewer = points.slice(0, -1);
        return keep(fewer.length ? { ...draft, points: fewer } : NO_DRAFT);
      }
      return keep(draft);
    }

    case 'ruler': {
      if (event.type === 'down') return keep({ kind: 'ruler', start: clamp(event.point), end: clamp(event.point), dragging: true });
      if (draft.kind !== 'ruler' || !draft.dragging) return keep(draft);
      if (event.type === 'move') return keep({ ...draft, end: clamp(event.point) });
      if (event.type === 'up') return keep({ ...draft, end: clamp(event.point), dragging: false });
      return keep(draft);
    }
  }
}
