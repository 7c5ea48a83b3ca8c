/**
 * A query's scores as a picture: one pixel per grid cell, coloured by a colour scale over a score range,
 * transparent where no tile was indexed (background). The viewer stretches it over the slide. Pure.
 */
import type { SlideSearchIndex } from './slide-index';

export type ColourScaleName = 'viridis' | 'inferno' | 'blue-red';

/** Anchor colours from low to high, evenly spaced (viridis and inferno: matplotlib's, sampled). */
const COLOUR_SCALES: Record<ColourScaleName, [number, number, number][]> = {
  viridis: [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ],
  inferno: [
    [0, 0, 4],
    [87, 16, 110],
    [188, 55, 84],
    [249, 142, 9],
    [252, 255, 164],
  ],
  'blue-red': [
    [49, 54, 149],
    [145, 191, 219],
    [255, 255, 191],
    [252, 141, 89],
    [165, 0, 38],
  ],
};

export const COLOUR_SCALE_NAMES = Object.keys(COLOUR_SCALES) as ColourScaleName[];

/** The colour for `t` in [0, 1] (clamped), linearly interpolated between anchors. */
export function colourAt(scale: ColourScaleName, t: number): [number, number, number] {
  const anchors = COLOUR_SCALES[scale];
  const position = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (anchors.length - 1);
  const low = Math.min(anchors.length - 2, Math.floor(position));
  const f = position - low;
  const a = anchors[low]!;
  const b = anchors[low + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** 256 colours of a scale, for painting many cells quickly. */
function lookupTable(scale: ColourScaleName): Uint8Array {
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) table.set(colourAt(scale, i / 255), i * 3);
  return table;
}

export interface HeatmapImage {
  /** Grid columns x rows, RGBA. */
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export function heatmapImage(
  index: Pick<SlideSearchIndex, 'grid' | 'cells'>,
  scores: Float32Array,
  scale: ColourScaleName,
  range: { min: number; max: number },
): HeatmapImage {
  const { columns, rows } = index.grid;
  const data = new Uint8ClampedArray(columns * rows * 4);
  const table = lookupTable(scale);
  const span = range.max - range.min;
  for (let tile = 0; tile < index.cells.length; tile++) {
    const t = span > 0 ? (scores[tile]! - range.min) / span : 1;
    const entry = Math.round(Math.min(1, Math.max(0, t)) * 255) * 3;
    const at = index.cells[tile]! * 4;
    data[at] = table[entry]!;
    data[at + 1] = table[entry + 1]!;
    data[at + 2] = table[entry + 2]!;
    data[at + 3] = 255;
  }
  return { width: columns, height: rows, data };
}

/** CSS linear-gradient of a scale, for the legend. */
export function colourScaleGradient(scale: ColourScaleName): string {
  const stops = COLOUR_SCALES[scale].map(([r, g, b], i, all) => `rgb(${r} ${g} ${b}) ${Math.round((i / (all.length - 1)) * 100)}%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
