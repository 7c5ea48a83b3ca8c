import { describe, expect, it } from 'vitest';
import { exportFileName, heatmapGeoJson, hitsGeoJson } from '../../../src/features/search/search-export';
import { SEARCH_INDEX_FORMAT, type SlideSearchIndex } from '../../../src/features/search/slide-index';
import { planTileGrid } from '../../../src/features/search/tile-grid';

describe('search export (QuPath GeoJSON)', () => {
  it('exports search hits (ranked annotations) and the heatmap (one tile per indexed tile with its score)', () => {
    const grid = planTileGrid({ width: 2000, height: 1000, mppX: 0.5, mppY: 0.5 }, 20, 100);
    const index: SlideSearchIndex = {
      format: SEARCH_INDEX_FORMAT,
      slideIdentity: 's',
      modelKey: 'm',
      grid,
      embedDim: 2,
      cells: Uint32Array.from([0, 21, 45]),
      embeddings: new Int8Array(6),
      scales: new Float32Array(3),
      minTissueFraction: 0.25,
      createdAt: 0,
    };
    const query = {
      label: '“necrosis”',
      scores: Float32Array.from([0.1, 0.9, 0.5]),
      hits: [
        { tile: 1, score: 0.9 },
        { tile: 2, score: 0.5 },
      ],
    };
    const hits = hitsGeoJson(index, query);
    expect(hits.features).toHaveLength(2);
    expect(hits.features[0]).toMatchObject({
      geometry: {
        coordinates: [
          [
            [100, 100],
            [200, 100],
            [200, 200],
            [100, 200],
            [100, 100],
          ],
        ],
      },
      properties: {
        objectType: 'annotation',
        name: '#1 “necrosis”',
        classification: { name: 'Search: “necrosis”' },
        measurements: { rank: 1, similarity: 0.9 },
      },
    });
    expect(hits.features[0]!.properties.classification!.color).toHaveLength(3);
    const heatmap = heatmapGeoJson(index, query);
    expect(heatmap.features.map((f) => [f.properties.objectType, f.properties.measurements!.similarity])).toEqual([
      ['tile', Math.fround(0.1)],
      ['tile', Math.fround(0.9)],
      ['tile', Math.fround(0.5)],
    ]);
    expect(heatmap.features[2]!.geometry.coordinates[0]![0]).toEqual([500, 200]);
    expect(exportFileName('CMU-1.svs', '“Mitotic figures”', 'hits')).toBe('CMU-1.svs-search-mitotic-figures-hits.geojson');
  });
});
