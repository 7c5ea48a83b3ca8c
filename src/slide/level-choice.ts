/** Which pyramid level serves a wanted downsample: the coarsest level still at least as detailed. */
import type { SlideLevel } from './slide-source';

/** Levels within 1% of the wanted downsample count as matching (Aperio's sizes are rounded). */
const TOLERANCE = 1.01;

export function chooseLevel(levels: readonly SlideLevel[], wantedDownsample: number): number {
  let best = 0;
  levels.forEach((level, index) => {
    if (level.downsample <= wantedDownsample * TOLERANCE && level.downsample > levels[best]!.downsample) best = index;
  });
  return best;
}
