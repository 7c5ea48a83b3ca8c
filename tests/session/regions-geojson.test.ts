import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { regionsFromGeoJson, regionsToGeoJson } from '../../src/session/regions-geojson';
import { DEFAULT_REGION_CLASSES } from '../../src/session/region-classes';
import type { Roi } from '../../src/session/roi';

const qupathFile = readFileSync(new URL('../fixtures/qupath/annotations.geojson', import.meta.url), 'utf8');

describe('QuPath GeoJSON', () => {
  it('imports QuPath’s file: polygon, MultiPolygon split with a note, ellipse polygon (locked), MultiPoint, classes and measurements', () => {
    const { rois, classes, notes } = regionsFromGeoJson(qupathFile);
    expect(rois.map((r) => [r.name, r.shape.kind, r.className])).toEqual([
      ['Invasive front', 'polygon', 'Tumor'],
      ['Stroma islands (part 1)', 'polygon', 'Stroma'],
      ['Stroma islands (part 2)', 'polygon', 'Stroma'],
      ['Ellipse (as exported)', 'polygon', 'Necrosis'],
      ['Mitoses', 'points', 'Mitosis'],
    ]);
    expect(rois[0]!.measurements).toEqual({ 'Area µm^2': 98765.4 });
    expect(rois[3]!.locked).toBe(true);
    expect(classes.find((c) => c.name === 'Mitosis')?.color).toEqual([255, 0, 255]);
    expect(notes).toEqual(['“Stroma islands” is a MultiPolygon; it was imported as 2 separate regions (holes dropped).']);
  });

  it('round-trips: import then export gives the same geometry, classes and colours', () => {
    const original = JSON.parse(qupathFile) as {
      features: { geometry: { type: string; coordinates: unknown }; properties: { classification: unknown; isLocked: boolean } }[];
    };
    const { rois, classes } = regionsFromGeoJson(qupathFile);
    const exported = regionsToGeoJson(
      rois.map((r) => ({ ...r, createdAt: 0 }) as Roi),
      [...DEFAULT_REGION_CLASSES, ...classes],
    );
    const byType = (type: string) => original.features.filter((f) => f.geometry.type === type);
    const polygons = exported.features.filter((f) => f.geometry.type === 'Polygon').map((f) => f.geometry.coordinates);
    const expectedPolygons = [
      byType('Polygon')[0]!.geometry.coordinates,
      ...(byType('MultiPolygon')[0]!.geometry.coordinates as unknown[]),
      byType('Polygon')[1]!.geometry.coordinates,
    ];
    expect(polygons).toEqual(expectedPolygons);
    expect(exported.features.find((f) => f.geometry.type === 'MultiPoint')?.geometry.coordinates).toEqual(byType('MultiPoint')[0]!.geometry.coordinates);
    expect(exported.features[0]!.properties).toEqual({ ...original.features[0]!.properties, name: 'Invasive front' });
    expect(exported.features.map((f) => f.properties.classification)).toEqual([
      original.features[0]!.properties.classification,
      original.features[1]!.properties.classification,
      original.features[1]!.properties.classification,
      original.features[2]!.properties.classification,
      original.features[3]!.properties.classification,
    ]);
    expect(exported.features[3]!.properties.isLocked).toBe(true);
  });

  it('refuses what is not GeoJSON with a sentence, and notes geometries it cannot use', () => {
    expect(() => regionsFromGeoJson('not json')).toThrow(/not JSON/);
    expect(() => regionsFromGeoJson('{"type":"Topology"}')).toThrow(/not GeoJSON/);
    const line = regionsFromGeoJson(
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: {
              type: 'LineString',
              coordinates: [
                [0, 0],
                [1, 1],
              ],
            },
            properties: { name: 'Line' },
          },
        ],
      }),
    );
    expect(line.rois).toEqual([]);
    expect(line.notes).toEqual(['“Line” was skipped: a LineString geometry cannot be a region here.']);
  });
});
