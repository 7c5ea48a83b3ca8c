/**
 * Geometry of regions drawn on a slide, in level-0 pixel coordinates, and their real sizes from the pixel size.
 * Pure: used by the ROI tools, the ROI list and (later) the models' region reads.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** µm per level-0 pixel along x and y; null when the slide does not say. */
export interface PixelSize {
  mppX: number | null;
  mppY: number | null;
}

/** The rectangle spanned by two corners dragged in any direction. */
export function rectFromCorners(a: Point, b: Point): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

export function rectToPolygon(rect: Rect): Point[] {
  return [
    { x: rect.x, y: rect.y },
    { x: rect.x + rect.width, y: rect.y },
    { x: rect.x + rect.width, y: rect.y + rect.height },
    { x: rect.x, y: rect.y + rect.height },
  ];
}

/** Area enclosed by a simple polygon (shoelace formula), in the units² of its coordinates; any winding. */
export function polygonArea(points: readonly Point[]): number {
  if (points.length < 3) return 0;
  let twiceArea = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % points.length]!;
    twiceArea += a.x * b.y - b.x * a.y;
  }
  return Math.abs(twiceArea) / 2;
}

/** Length of the open path through `points`. */
export function pathLength(points: readonly Point[]): number {
  let length = 0;
  for (let i = 1; i < points.length; i++) length += Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
  return length;
}

export function boundingBox(points: readonly Point[]): Rect {
  if (points.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

function hasScale(size: PixelSize): size is { mppX: number; mppY: number } {
  const ok = (v: number | null) => v !== null && Number.isFinite(v) && v > 0;
  return ok(size.mppX) && ok(size.mppY);
}

/** Pixels to microns, honouring non-square pixels. */
function toMicrons(points: readonly Point[], size: { mppX: number; mppY: number }): Point[] {
  return points.map((p) => ({ x: p.x * size.mppX, y: p.y * size.mppY }));
}

/** Area of a polygon in mm², null when the pixel size is unknown. */
export function polygonAreaMm2(points: readonly Point[], size: PixelSize): number | null {
  if (!hasScale(size)) return null;
  return polygonArea(toMicrons(points, size)) / 1e6;
}

/** Length of a path in µm, null when the pixel size is unknown. */
export function pathLengthMicrons(points: readonly Point[], size: PixelSize): number | null {
  if (!hasScale(size)) return null;
  return pathLength(toMicrons(points, size));
}

/** "0.0123 mm²"; areas below 0.001 mm² are given in µm² so small regions do not read as zero. */
export function formatArea(mm2: number | null): string {
  if (mm2 === null) return 'unknown scale';
  if (mm2 < 0.001) return `${formatNumber(mm2 * 1e6)} µm²`;
  return `${formatNumber(mm2)} mm²`;
}

/** "12.5 µm", "1.25 mm". */
export function formatMicrons(microns: number | null): string {
  if (microns === null) return 'unknown scale';
  if (microns >= 1000) return `${formatNumber(microns / 1000)} mm`;
  return `${formatNumber(microns)} µm`;
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/**
 * How level-0 image pixels map to screen pixels at one moment: screen = (image - origin) * scale. The viewer
 * derives it from OpenSeadragon each frame (rotation is off); the overlay uses it to draw and to hit-test.
 */
export interface ViewTransform {
  /** Image point shown at the screen's top-left corner. */
  originX: number;
  originY: number;
  /** Screen pixels per image pixel. */
  scale: number;
}

export function imageToScreen(t: ViewTransform, p: Point): Point {
  return { x: (p.x - t.originX) * t.scale, y: (p.y - t.originY) * t.scale };
}

export function screenToImage(t: ViewTransform, p: Point): Point {
  return { x: p.x / t.scale + t.originX, y: p.y / t.scale + t.originY };
}

/** The transform that maps image points `a` and `b` (distinct) to screen points `sa` and `sb`. */
export function transformFromPoints(a: Point, sa: Point, b: Point, sb: Point): ViewTransform {
  const imageDistance = Math.hypot(b.x - a.x, b.y - a.y);
  const scale = imageDistance === 0 ? 1 : Math.hypot(sb.x - sa.x, sb.y - sa.y) / imageDistance;
  return { scale, originX: a.x - sa.x / scale, originY: a.y - sa.y / scale };
}

/** Keeps a point inside the image so ROIs never extend past the slide. */
export function clampToImage(p: Point, width: number, height: number): Point {
  return { x: Math.min(Math.max(p.x, 0), width), y: Math.min(Math.max(p.y, 0), height) };
}
