/**
 * The image a question about a region sends: the region read at the Ask magnification, capped on a slow processor
 * (slow-device-region.ts), with the line the answer card shows about it. One function for the question and for
 * reading the image ahead (region-pre-read.ts), so both produce the same pixels and the worker's cache matches.
 */
import { planRegionRead, type RegionPlan } from '../../session/region-plan';
import type { RgbaImage, SlideRect, SlideSource } from '../../slide/slide-source';
import { slowDevicePixelCap, type FirstTokenEstimate } from './slow-device-region';

export interface AskRegionSource {
  slide: SlideSource;
  /** Level-0 bounds of the ROI (or the whole slide). */
  bounds: SlideRect;
  maxPixels: number;
}

export interface AskRegionOptions {
  magnification: number;
  fullSizeRegions: boolean;
  /** This computer's first-token estimate (local processor only), which may cap the region's size. */
  estimate?: FirstTokenEstimate;
}

export type AskRegionRead = { ok: true; image: RgbaImage; note: string } | { ok: false; reason: string };

/** Reads the region as a question sends it; rejects when the slide cannot be read (or `signal` aborts). */
export async function readAskRegion(source: AskRegionSource, options: AskRegionOptions, signal?: AbortSignal): Promise<AskRegionRead> {
  const metadata = source.slide.metadata;
  const slideMpp = metadata.mppX !== null && metadata.mppY !== null ? (metadata.mppX + metadata.mppY) / 2 : metadata.mppX;
  const { estimate, magnification } = options;
  const cap = !options.fullSizeRegions && estimate ? slowDevicePixelCap(estimate, source.maxPixels) : null;
  const planFor = (maxPixels: number) => planRegionRead({ width: source.bounds.width, height: source.bounds.height, slideMpp, magnification, maxPixels });
  const plan = planFor(cap ?? source.maxPixels);
  if (!plan.ok) return { ok: false, reason: plan.reason };
  const image = await source.slide.readRegion(source.bounds, plan.targetMpp, signal);
  const full = cap === null ? null : planFor(source.maxPixels);
  const note =
    (plan.effectiveMagnification === null
      ? `${image.width} x ${image.height} px at full resolution (scale unknown)`
      : `${image.width} x ${image.height} px at ${formatMagnification(plan.effectiveMagnification)}`) +
    (full?.ok && estimate && full.outputWidth * full.outputHeight > plan.outputWidth * plan.outputHeight ? slowDeviceNote(estimate, plan, full) : '');
  return { ok: true, image, note };
}

function formatMagnification(magnification: number): string {
  return `${magnification.toFixed(magnification < 10 ? 2 : 1)}x`;
}

type ReadablePlan = Extract<RegionPlan, { ok: true }>;

/** Why the region is smaller than asked for: what this computer would take for each size. */
function slowDeviceNote(estimate: FirstTokenEstimate, plan: ReadablePlan, full: ReadablePlan): string {
  const seconds = (ms: number | null) => Math.round((ms ?? 0) / 1000);
  const fullSize = `${full.outputWidth} x ${full.outputHeight} px${full.effectiveMagnification === null ? '' : ` at ${formatMagnification(full.effectiveMagnification)}`}`;
  return (
    ` (smaller for this computer's processor: about ${seconds(estimate(plan.outputWidth, plan.outputHeight))} s to the first token, ` +
    `${fullSize} would take about ${seconds(estimate(full.outputWidth, full.outputHeight))} s; "Full-size regions" reads it whole)`
  );
}
