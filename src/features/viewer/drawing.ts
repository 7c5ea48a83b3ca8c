/**
 * The ROI tools as a pure state machine: pointer and key events in image coordinates go in, a draft to draw
 * and (when a shape is complete) a finished shape come out. The overlay component only forwards events.
 */
import { clampToImage, rectFromCorners, type Point } from '../../session/geometry';
import type { RoiShape } from '../../session/roi';

export type Tool = 'pan' | 'select' | 'rectangle' | 'ellipse' | 'polygon' | 'point' | 'ruler';

/**
 * The tools, declared once: the toolbar, the key handler and OpenSeadragon's key filter all read this list. Keys
 * follow QuPath where it has one (M move/select, O ellipse, . points); `code` is the KeyboardEvent.code.
 */
export const VIEWER_TOOLS: readonly { tool: Tool; label: string; key: string; code: string }[] = [
  { tool: 'pan', label: 'Pan', key: 'Escape', code: 'Escape' },
  { tool: 'select', label: 'Select', key: 'M', code: 'KeyM' },
  { tool: 'rectangle', label: 'Rectangle', key: 'R', code: 'KeyR' },
  { tool: 'ellipse', label: 'Ellipse', key: 'O', code: 'KeyO' },
  { tool: 'polygon', label: 'Polygon', key: 'P', code: 'KeyP' },
  { tool: 'point', label: 'Point', key: '.', code: 'Period' },
  { tool: 'ruler', label: 'Ruler', key: 'L', code: 'KeyL' },
];

/** Keys (lower case) that pick a tool; Escape (back to pan) is handled with drafts in mind. */
export const TOOL_KEYS: Record<string, Tool> = Object.fromEntries(
  VIEWER_TOOLS.filter(({ key }) => key !== 'Escape').map(({ tool, key }) => [key.toLowerCase(), tool]),
);

/**
 * KeyboardEvent.code values OpenSeadragon must leave to the app: the tool keys, and F, which OpenSeadragon
 * would take to flip the slide (a mirrored slide misleads a reader).
 */
export const APP_KEY_CODES: readonly string[] = [...VIEWER_TOOLS.filter(({ key }) => key !== 'Escape').map(({ code }) => code), 'KeyF'];

export type Draft =
  | { kind: 'none' }
  | { kind: 'rectangle' | 'ellipse'; start: Point; current: Point }
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
    case 'select':
      // Selecting and editing act on saved regions, not on a draft (see RoiOverlay).
      return keep(NO_DRAFT);

    case 'point':
      return event.type === 'down' ? { draft: NO_DRAFT, finished: { kind: 'points', points: [clamp(event.point)] } } : keep(NO_DRAFT);

    case 'rectangle':
    case 'ellipse': {
      const kind = context.tool;
      if (event.type === 'down') return keep({ kind, start: clamp(event.point), current: clamp(event.point) });
      if (draft.kind !== kind) return keep(draft);
      if (event.type === 'move') return keep({ ...draft, current: clamp(event.point) });
      if (event.type === 'up') {
        const rect = rectFromCorners(draft.start, clamp(event.point));
        // A click without a drag is not a region.
        if (rect.width < context.snapDistance || rect.height < context.snapDistance || rect.width < 1 || rect.height < 1) return keep(NO_DRAFT);
        return { draft: NO_DRAFT, finished: { kind, rect } };
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
