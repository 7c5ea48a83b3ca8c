/**
 * GeoJSON in the shape QuPath reads and writes (File > Import/Export objects): a FeatureCollection whose
 * features carry `objectType` ("annotation", "detection", "tile"), an optional `classification` {name, color}
 * and `measurements` {name: number}. Coordinates are level-0 pixels, y down, as in QuPath. Pure: used for
 * search hits and heatmaps, and for the regions a pathologist drew.
 */
import { rectToPolygon, type Point, type Rect } from './geometry';
import { roiPolygon, type Roi } from './roi';

export type QuPathObjectType = 'annotation' | 'detection' | 'tile';

export interface QuPathClassification {
  name: string;
  /** RGB, 0–255 each. */
  color: [number, number, number];
}

export interface GeoJsonPolygonFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
  properties: {
    objectType: QuPathObjectType;
    name?: string;
    classification?: QuPathClassification;
    measurements?: Record<string, number>;
  };
}

export interface GeoJsonFeatureCollection {
  type: 'FeatureCollection';
  features: GeoJsonPolygonFeature[];
}

export interface PolygonFeatureInput {
  id: string;
  points: readonly Point[];
  objectType: QuPathObjectType;
  name?: string;
  classification?: QuPathClassification;
  measurements?: Record<string, number>;
}

/** A closed ring (first point repeated at the end), as GeoJSON requires. */
function closedRing(points: readonly Point[]): [number, number][] {
  const ring = points.map((p): [number, number] => [p.x, p.y]);
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) ring.push([first[0], first[1]]);
  return ring;
}

export function polygonFeature({ id, points, objectType, name, classification, measurements }: PolygonFeatureInput): GeoJsonPolygonFeature {
  const finite = Object.fromEntries(Object.entries(measurements ?? {}).filter(([, value]) => Number.isFinite(value)));
  return {
    type: 'Feature',
    id,
    geometry: { type: 'Polygon', coordinates: [closedRing(points)] },
    properties: {
      objectType,
      ...(name !== undefined ? { name } : {}),
      ...(classification ? { classification: { name: classification.name, color: [...classification.color] } } : {}),
      ...(measurements ? { measurements: finite } : {}),
    },
  };
}

export function rectFeature(input: Omit<PolygonFeatureInput, 'points'> & { rect: Rect }): GeoJsonPolygonFeature {
  const { rect, ...rest } = input;
  return polygonFeature({ ...rest, points: rectToPolygon(rect) });
}

/** A drawn region as a QuPath annotation named like it. */
export function roiFeature(roi: Roi, classification?: QuPathClassification): GeoJsonPolygonFeature {
  return polygonFeature({ id: roi.id, points: roiPolygon(roi.shape), objectType: 'annotation', name: roi.name, ...(classification ? { classification } : {}) });
}

export function featureCollection(features: GeoJsonPolygonFeature[]): GeoJsonFeatureCollection {
  return { type: 'FeatureCollection', features };
}
