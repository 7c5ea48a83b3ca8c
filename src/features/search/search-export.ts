/**
 * A search as QuPath objects (GeoJSON): the top hits as annotations ranked by similarity, and the heatmap as
 * one tile object per indexed tile with its score, classified by the query so QuPath colours and filters them.
 */
import { featureCollection, rectFeature, type GeoJsonFeatureCollection, type QuPathClassification } from '../../session/geojson';
import { colourAt, type ColourScaleName } from './heatmap';
import type { TileScore } from './similarity';
import type { SlideSearchIndex } from './slide-index';
import { tileRect } from './tile-grid';

export interface ExportedQuery {
  label: string;
  scores: Float32Array;
  hits: readonly TileScore[];
}

function classificationOf(label: string, scale: ColourScaleName): QuPathClassification {
  return { name: `Search: ${label}`, color: colourAt(scale, 1) };
}

/** The hits, best first, as annotations with `rank` and `similarity` measurements. */
export function hitsGeoJson(index: SlideSearchIndex, query: ExportedQuery, scale: ColourScaleName = 'viridis'): GeoJsonFeatureCollection {
  const classification = classificationOf(query.label, scale);
  return featureCollection(
    query.hits.map((hit, rank) =>
      rectFeature({
        id: `hit-${rank + 1}`,
        rect: tileRect(index.grid, index.cells[hit.tile]!),
        objectType: 'annotation',
        name: `#${rank + 1} ${query.label}`,
        classification,
        measurements: { rank: rank + 1, similarity: hit.score },
      }),
    ),
  );
}

/** Every indexed tile with its similarity (the heatmap), as QuPath tile objects. */
export function heatmapGeoJson(index: SlideSearchIndex, query: ExportedQuery, scale: ColourScaleName = 'viridis'): GeoJsonFeatureCollection {
  const classification = classificationOf(query.label, scale);
  return featureCollection(
    Array.from(index.cells, (cell, tile) =>
      rectFeature({
        id: `tile-${cell}`,
        rect: tileRect(index.grid, cell),
        objectType: 'tile',
        classification,
        measurements: { similarity: query.scores[tile]! },
      }),
    ),
  );
}

/** A file name from the slide and query: "slide.svs-search-mitotic-figures-hits.geojson". */
export function exportFileName(slideName: string, label: string, part: 'hits' | 'heatmap'): string {
  const slug = label
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slideName}-search-${slug || 'query'}-${part}.geojson`;
}
