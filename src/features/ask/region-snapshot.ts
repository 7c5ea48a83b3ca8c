/**
 * A small PNG of a region (for a conversation's markdown export, a report, a review): read through the slide at a
 * resolution where the longer side is at most `maxSide` pixels.
 */
import type { SlideRect, SlideSource } from '../../slide/slide-source';

/** Regions of a slide without a scale are read at full resolution only up to this size. */
const MAX_UNSCALED_SIDE = 4096;

export async function regionSnapshotPng(slide: SlideSource, bounds: SlideRect, maxSide = 512): Promise<string | null> {
  const { mppX, mppY } = slide.metadata;
  const mpp = mppX !== null && mppY !== null ? (mppX + mppY) / 2 : mppX;
  const longer = Math.max(bounds.width, bounds.height);
  if (mpp === null && longer > MAX_UNSCALED_SIDE) return null;
  const region = await slide.readRegion(bounds, mpp === null ? null : (mpp * Math.max(longer, maxSide)) / maxSide);
  const full = document.createElement('canvas');
  full.width = region.width;
  full.height = region.height;
  full.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(region.data), region.width, region.height), 0, 0);
  const scale = Math.min(1, maxSide / Math.max(region.width, region.height));
  if (scale === 1) return full.toDataURL('image/png');
  const small = document.createElement('canvas');
  small.width = Math.max(1, Math.round(region.width * scale));
  small.height = Math.max(1, Math.round(region.height * scale));
  small.getContext('2d')?.drawImage(full, 0, 0, small.width, small.height);
  return small.toDataURL('image/png');
}

/** Longer side of a region image kept with a review: enough to train on, small enough to keep many. */
const REVIEW_IMAGE_SIDE = 1024;

/** The region as a PNG for a review (region and "Ask the slide" answers alike), or null when the slide cannot give it. */
export async function reviewImagePng(slide: SlideSource, bounds: SlideRect): Promise<Blob | null> {
  const dataUrl = await regionSnapshotPng(slide, bounds, REVIEW_IMAGE_SIDE);
  return dataUrl ? (await fetch(dataUrl)).blob() : null;
}
