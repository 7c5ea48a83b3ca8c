import { describe, expect, it } from 'vitest';
import { featureCollection, polygonFeature, rectFeature, roiFeature } from '../../src/session/geojson';

describe('GeoJSON in QuPath shape', () => {
  it('writes closed polygon rings with objectType, classification {name, color} and measurements', () => {
    const feature = rectFeature({
      id: 'a',
      rect: { x: 10, y: 20, width: 30, height: 40 },
      objectType: 'annotation',
      name: 'A',
      classification: { name: 'Tumor', color: [200, 0, 0] },
      measurements: { score: 0.5, bad: NaN },
    });
    expect(feature).toEqual({
      type: 'Feature',
      id: 'a',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [10, 20],
            [40, 20],
            [40, 60],
            [10, 60],
            [10, 20],
          ],
        ],
      },
      properties: { objectType: 'annotation', name: 'A', classification: { name: 'Tumor', color: [200, 0, 0] }, measurements: { score: 0.5 } },
    });
    // An already closed ring stays as it is.
    const closed = polygonFeature({
      id: 'b',
      points: [
        { x: 0, y: 0 },
        { x: 1, y: 0 },
        { x: 0, y: 1 },
        { x: 0, y: 0 },
      ],
      objectType: 'detection',
    });
    expect(closed.geometry.coordinates[0]).toHaveLength(4);
    expect(closed.properties).toEqual({ objectType: 'detection' });
    expect(JSON.parse(JSON.stringify(featureCollection([feature, closed])))).toMatchObject({ type: 'FeatureCollection', features: [{ id: 'a' }, { id: 'b' }] });
  });

  it('exports drawn regions as named annotations', () => {
    const feature = roiFeature({
      id: 'r1',
      name: 'Polygon 1',
      createdAt: 0,
      shape: {
        kind: 'polygon',
        points: [
          { x: 0, y: 0 },
          { x: 5, y: 0 },
          { x: 5, y: 5 },
        ],
      },
    });
    expect(feature.properties).toEqual({ objectType: 'annotation', name: 'Polygon 1' });
    expect(feature.geometry.coordinates[0]).toEqual([
      [0, 0],
      [5, 0],
      [5, 5],
      [0, 0],
    ]);
  });
});
