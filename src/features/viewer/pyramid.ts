/**
 * Maps a slide's pyramid (level 0 = full resolution, any downsamples: 1, 4, 16 for Aperio) to OpenSeadragon's
 * levels (0 = coarsest, scale = fraction of full width). OpenSeadragon 6.1 draws non-power-of-two levels when
 * the tile source reports each level's own scale and tile grid, which is what this table holds. Pure.
 */
import type { SlideLevel, SlideMetadata } from '../../slide/slide-source';

export interface ViewerLevel {
  /** Index into SlideMetadata.levels. */
  slideLevel: number;
  /** This level's width / level-0 width (0 < scale <= 1). */
  scale: number;
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
}

function usable(level: SlideLevel): boolean {
  return [level.width, level.height, level.tileWidth, level.tileHeight].every((v) => Number.isFinite(v) && v >= 1);
}

/** Viewer levels, coarsest first; levels with no pixels or no tile size are left out. */
export function viewerLevels(metadata: Pick<SlideMetadata, 'width' | 'levels'>): ViewerLevel[] {
  const levels = metadata.levels
    .map((level, slideLevel) => ({ level, slideLevel }))
    .filter(({ level }) => usable(level) && metadata.width > 0)
    .map(({ level, slideLevel }) => ({
      slideLevel,
      scale: Math.min(1, level.width / metadata.width),
      width: level.width,
      height: level.height,
      tileWidth: level.tileWidth,
      tileHeight: level.tileHeight,
      columns: Math.ceil(level.width / level.tileWidth),
      rows: Math.ceil(level.height / level.tileHeight),
    }))
    .sort((a, b) => a.scale - b.scale);
  // Two slide levels of the same width would fight over one viewer level: keep the first (the more detailed).
  return levels.filter((level, index) => index === 0 || level.width !== levels[index - 1]!.width);
}
