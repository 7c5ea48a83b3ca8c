/**
 * The pixels of an ROI for the models: its bounding box in whole level-0 pixels, clipped to the slide, read at a
 * chosen µm/px through the slide's own readRegion (best pyramid level, resampled), never from the screen.
 */
import type { ReadRegionResult, SlideMetadata, SlideRect, SlideSource } from '../../slide/slide-source';
import { roiBounds, type RoiShape } from '../../session/roi';

/** The whole-pixel rectangle covering `shape`, inside the slide; null when nothing of it is on the slide. */
export function roiReadRect(shape: RoiShape, metadata: Pick<SlideMetadata, 'width' | 'height'>): SlideRect | null {
  const bounds = roiBounds(shape);
  const x = Math.max(0, Math.floor(bounds.x));
  const y = Math.max(0, Math.floor(bounds.y));
  const right = Math.min(metadata.width, Math.ceil(bounds.x + bounds.width));
  const bottom = Math.min(metadata.height, Math.ceil(bounds.y + bounds.height));
  if (right <= x || bottom <= y) return null;
  return { x, y, width: right - x, height: bottom - y };
}

export async function readRoiPixels(source: SlideSource, shape: RoiShape, targetMpp: number | null, signal?: AbortSignal): Promise<ReadRegionResult> {
  const rect = roiReadRect(shape, source.metadata);
  if (!rect) throw new RangeError('The region lies outside the slide.');
  return source.readRegion(rect, targetMpp, signal);
}
