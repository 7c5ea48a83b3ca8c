/**
 * Regions of interest drawn on a slide: their shapes (level-0 pixels), names and measurements. Pure; the
 * store persists them and the overlay draws them.
 */
import { boundingBox, polygonAreaMm2, rectToPolygon, type PixelSize, type Point, type Rect } from './geometry';

/** An ellipse is stored as its bounding rectangle (as QuPath's EllipseROI); points are one or more marks (QuPath's PointsROI). */
export type RoiShape =
  { kind: 'rectangle'; rect: Rect } | { kind: 'ellipse'; rect: Rect } | { kind: 'polygon'; points: Point[] } | { kind: 'points'; points: Point[] };
export type RoiKind = RoiShape['kind'];

export interface Roi {
  id: string;
  name: string;
  shape: RoiShape;
  /** ms since epoch; keeps the list in drawing order across reloads. */
  createdAt: number;
  /** Name of the region's class (see region-classes); absent when unclassified. Added after version 1: optional. */
  className?: string;
  /** Hidden by the user: not drawn, not hit by clicks. */
  hidden?: boolean;
  /** QuPath's isLocked: the shape cannot be moved or edited. */
  locked?: boolean;
  /** Measurements carried from an imported QuPath file, written back on export. */
  measurements?: Record<string, number>;
}

export const KIND_LABEL: Record<RoiKind, string> = { rectangle: 'Rectangle', ellipse: 'Ellipse', polygon: 'Polygon', points: 'Points' };

/** Vertices of the polygon that stands for an ellipse (QuPath also exports ellipses as polygons). */
const ELLIPSE_VERTICES = 72;

export function ellipseToPolygon(rect: Rect): Point[] {
  const cx = rect.x + rect.width / 2;
  const cy = rect.y + rect.height / 2;
  return Array.from({ length: ELLIPSE_VERTICES }, (_, i) => {
    const angle = (2 * Math.PI * i) / ELLIPSE_VERTICES;
    return { x: cx + (rect.width / 2) * Math.cos(angle), y: cy + (rect.height / 2) * Math.sin(angle) };
  });
}

/** "Rectangle 3": one more than the highest number already used for that kind, so names stay unique. */
export function defaultRoiName(kind: RoiKind, existing: readonly Roi[]): string {
  const label = KIND_LABEL[kind];
  const pattern = new RegExp(`^${label} (\\d+)$`);
  const highest = existing.reduce((max, roi) => {
    const match = pattern.exec(roi.name);
    return match ? Math.max(max, Number(match[1])) : max;
  }, 0);
  return `${label} ${highest + 1}`;
}

/** The outline as vertices: rectangles' corners, an ellipse's polygon, a polygon's or the points' own. */
export function roiPolygon(shape: RoiShape): Point[] {
  if (shape.kind === 'rectangle') return rectToPolygon(shape.rect);
  if (shape.kind === 'ellipse') return ellipseToPolygon(shape.rect);
  return shape.points;
}

export function roiAreaMm2(shape: RoiShape, size: PixelSize): number | null {
  if (shape.kind === 'points') return 0;
  if (shape.kind === 'ellipse') {
    // Exact (π·a·b) rather than the polygon's slightly smaller area.
    const box = polygonAreaMm2(rectToPolygon(shape.rect), size);
    return box === null ? null : (box * Math.PI) / 4;
  }
  return polygonAreaMm2(roiPolygon(shape), size);
}

export function roiBounds(shape: RoiShape): Rect {
  return shape.kind === 'rectangle' || shape.kind === 'ellipse' ? shape.rect : boundingBox(shape.points);
}

/** A name the user typed, trimmed and bounded; falls back to `fallback` when empty. */
export function cleanRoiName(name: string, fallback: string): string {
  const trimmed = name.replace(/\s+/g, ' ').trim().slice(0, 80);
  return trimmed || fallback;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isPoint(value: unknown): value is Point {
  return typeof value === 'object' && value !== null && isFiniteNumber((value as Point).x) && isFiniteNumber((value as Point).y);
}

/** Checks data read back from storage (it may come from an older or damaged database). */
export function isRoi(value: unknown): value is Roi {
  if (typeof value !== 'object' || value === null) return false;
  const roi = value as Partial<Roi>;
  if (typeof roi.id !== 'string' || typeof roi.name !== 'string' || !isFiniteNumber(roi.createdAt)) return false;
  if (roi.className !== undefined && typeof roi.className !== 'string') return false;
  if (roi.hidden !== undefined && typeof roi.hidden !== 'boolean') return false;
  if (roi.locked !== undefined && typeof roi.locked !== 'boolean') return false;
  if (roi.measurements !== undefined && !isMeasurements(roi.measurements)) return false;
  const shape = roi.shape as Partial<RoiShape> | undefined;
  if (!shape) return false;
  if (shape.kind === 'rectangle' || shape.kind === 'ellipse') {
    const rect = (shape as { rect?: Partial<Rect> }).rect;
    return !!rect && [rect.x, rect.y, rect.width, rect.height].every(isFiniteNumber) && rect.width! >= 0 && rect.height! >= 0;
  }
  if (shape.kind === 'polygon') {
    const points = (shape as { points?: unknown }).points;
    return Array.isArray(points) && points.length >= 3 && points.every(isPoint);
  }
  if (shape.kind === 'points') {
    const points = (shape as { points?: unknown }).points;
    return Array.isArray(points) && points.length >= 1 && points.every(isPoint);
  }
  return false;
}

function isMeasurements(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isFiniteNumber);
}
