/**
 * Regions of interest drawn on a slide: their shapes (level-0 pixels), names and measurements. Pure; the
 * store persists them and the overlay draws them.
 */
import { boundingBox, polygonAreaMm2, rectToPolygon, type PixelSize, type Point, type Rect } from './geometry';

export type RoiShape = { kind: 'rectangle'; rect: Rect } | { kind: 'polygon'; points: Point[] };
export type RoiKind = RoiShape['kind'];

export interface Roi {
  id: string;
  name: string;
  shape: RoiShape;
  /** ms since epoch; keeps the list in drawing order across reloads. */
  createdAt: number;
}

const KIND_LABEL: Record<RoiKind, string> = { rectangle: 'Rectangle', polygon: 'Polygon' };

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

export function roiPolygon(shape: RoiShape): Point[] {
  return shape.kind === 'rectangle' ? rectToPolygon(shape.rect) : shape.points;
}

export function roiAreaMm2(shape: RoiShape, size: PixelSize): number | null {
  return polygonAreaMm2(roiPolygon(shape), size);
}

export function roiBounds(shape: RoiShape): Rect {
  return shape.kind === 'rectangle' ? shape.rect : boundingBox(shape.points);
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
  const shape = roi.shape as Partial<RoiShape> | undefined;
  if (!shape) return false;
  if (shape.kind === 'rectangle') {
    const rect = (shape as { rect?: Partial<Rect> }).rect;
    return !!rect && [rect.x, rect.y, rect.width, rect.height].every(isFiniteNumber) && rect.width! >= 0 && rect.height! >= 0;
  }
  if (shape.kind === 'polygon') {
    const points = (shape as { points?: unknown }).points;
    return Array.isArray(points) && points.length >= 3 && points.every(isPoint);
  }
  return false;
}
