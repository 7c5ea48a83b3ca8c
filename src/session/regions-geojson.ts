/**
 * Regions to and from QuPath's GeoJSON (File > Export/Import objects; docs: qupath-docs "Exporting annotations").
 * Export: a FeatureCollection of annotations with level-0 pixel coordinates, `classification` {name, color [r,g,b]},
 * `isLocked` and `measurements`; ellipses become polygons (as in QuPath), points a MultiPoint. Import reads
 * Polygon (outer ring; holes dropped with a note), MultiPolygon (one region per part, with a note), Point and
 * MultiPoint; anything else is skipped with a note. A file that is not such GeoJSON throws a sentence. Pure.
 */
import { roiPolygon, type Roi, type RoiShape } from './roi';
import { findClass, isRgb, packedToRgb, type RegionClass } from './region-classes';

type Position = [number, number];

export interface ImportedRegions {
  rois: Omit<Roi, 'createdAt'>[];
  classes: RegionClass[];
  notes: string[];
}

const ring = (points: readonly { x: number; y: number }[]): Position[] => {
  const coordinates = points.map((p): Position => [p.x, p.y]);
  if (coordinates.length) coordinates.push([...coordinates[0]!]);
  return coordinates;
};

function geometry(shape: RoiShape) {
  if (shape.kind === 'points') return { type: 'MultiPoint', coordinates: shape.points.map((p): Position => [p.x, p.y]) };
  return { type: 'Polygon', coordinates: [ring(roiPolygon(shape))] };
}

export function regionsToGeoJson(rois: readonly Roi[], classes: readonly RegionClass[]) {
  return {
    type: 'FeatureCollection',
    features: rois.map((roi) => {
      const regionClass = findClass(classes, roi.className);
      return {
        type: 'Feature',
        id: roi.id,
        geometry: geometry(roi.shape),
        properties: {
          objectType: 'annotation',
          name: roi.name,
          ...(roi.className ? { classification: { name: roi.className, color: [...(regionClass?.color ?? [128, 128, 128])] } } : {}),
          isLocked: roi.locked ?? false,
          ...(roi.measurements ? { measurements: { ...roi.measurements } } : {}),
        },
      };
    }),
  };
}

const isPosition = (value: unknown): value is Position =>
  Array.isArray(value) &&
  value.length >= 2 &&
  typeof value[0] === 'number' &&
  typeof value[1] === 'number' &&
  Number.isFinite(value[0]) &&
  Number.isFinite(value[1]);

/** A closed ring without its repeated last point; null when it is not a ring of at least three points. */
function openRing(value: unknown): { x: number; y: number }[] | null {
  if (!Array.isArray(value) || !value.every(isPosition)) return null;
  const points = value.map(([x, y]) => ({ x, y }));
  const first = points[0];
  const last = points[points.length - 1];
  if (first && last && points.length > 1 && first.x === last.x && first.y === last.y) points.pop();
  return points.length >= 3 ? points : null;
}

/** Parses QuPath GeoJSON text; throws an Error whose message is a sentence for the user. */
export function regionsFromGeoJson(text: string): ImportedRegions {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('The file is not JSON. Choose a GeoJSON file exported from QuPath or from PathoLens');
  }
  const record = data as { type?: unknown; features?: unknown };
  const features = Array.isArray(data)
    ? data
    : record?.type === 'FeatureCollection' && Array.isArray(record.features)
      ? record.features
      : record?.type === 'Feature'
        ? [data]
        : null;
  if (!features)
    throw new Error('The file is JSON but not GeoJSON (no FeatureCollection or Feature). Choose a GeoJSON file exported from QuPath or from PathoLens');
  const rois: Omit<Roi, 'createdAt'>[] = [];
  const classes = new Map<string, RegionClass>();
  const notes: string[] = [];
  features.forEach((value: unknown, index) => {
    const feature = value as { id?: unknown; geometry?: { type?: unknown; coordinates?: unknown }; properties?: Record<string, unknown> };
    const properties = feature?.properties ?? {};
    const name = typeof properties.name === 'string' && properties.name.trim() ? properties.name.trim().slice(0, 80) : `Imported ${index + 1}`;
    const classification = properties.classification as { name?: unknown; color?: unknown; colorRGB?: unknown } | undefined;
    const className = typeof classification?.name === 'string' && classification.name.trim() ? classification.name.trim() : undefined;
    if (className && !classes.has(className)) {
      const color = isRgb(classification?.color)
        ? classification.color
        : typeof classification?.colorRGB === 'number'
          ? packedToRgb(classification.colorRGB)
          : null;
      if (color) classes.set(className, { name: className, color: [...color] });
    }
    const measurements = properties.measurements;
    const base = {
      id: typeof feature?.id === 'string' && feature.id ? feature.id : `imported-${index + 1}`,
      name,
      ...(className ? { className } : {}),
      ...(properties.isLocked === true ? { locked: true } : {}),
      ...(measurements && typeof measurements === 'object' && !Array.isArray(measurements)
        ? {
            measurements: Object.fromEntries(Object.entries(measurements).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<
              string,
              number
            >,
          }
        : {}),
    };
    const type = feature?.geometry?.type;
    const coordinates = feature?.geometry?.coordinates;
    const add = (shape: RoiShape, suffix = '') =>
      rois.push({ ...base, ...(suffix ? { id: `${base.id}-${suffix}`, name: `${name} (part ${suffix})` } : {}), shape });
    if (type === 'Polygon' && Array.isArray(coordinates)) {
      const outer = openRing(coordinates[0]);
      if (!outer) return void notes.push(`“${name}” was skipped: its polygon has fewer than three valid points.`);
      if (coordinates.length > 1) notes.push(`“${name}” has holes; only its outer outline was imported.`);
      add({ kind: 'polygon', points: outer });
    } else if (type === 'MultiPolygon' && Array.isArray(coordinates)) {
      const parts = coordinates
        .map((polygon: unknown) => (Array.isArray(polygon) ? openRing(polygon[0]) : null))
        .filter((p): p is { x: number; y: number }[] => !!p);
      if (!parts.length) return void notes.push(`“${name}” was skipped: its MultiPolygon has no valid polygon.`);
      notes.push(`“${name}” is a MultiPolygon; it was imported as ${parts.length} separate regions (holes dropped).`);
      parts.forEach((points, i) => add({ kind: 'polygon', points }, String(i + 1)));
    } else if (
      (type === 'MultiPoint' && Array.isArray(coordinates) && coordinates.length && coordinates.every(isPosition)) ||
      (type === 'Point' && isPosition(coordinates))
    ) {
      const positions = (type === 'Point' ? [coordinates] : coordinates) as Position[];
      add({ kind: 'points', points: positions.map(([x, y]) => ({ x, y })) });
    } else {
      notes.push(`“${name}” was skipped: ${typeof type === 'string' ? `a ${type} geometry` : 'no geometry'} cannot be a region here.`);
    }
  });
  return { rois, classes: [...classes.values()], notes };
}
