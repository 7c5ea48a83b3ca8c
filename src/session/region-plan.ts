/**
 * At which resolution to read a region for a model (Patho-R1, PathoCLIP). Pathologists think in objective magnification (20x by
 * default); the model's processor accepts at most `max_pixels` and would shrink anything larger, so reading
 * more than that from the slide only costs time and memory. Pure: no slide access here.
 */

/** Microns per pixel of a 40x scan: the convention slide scanners and OpenSlide use (10x = 1.0 µm/px). */
export const MPP_AT_40X = 0.25;

export const DEFAULT_ASK_MAGNIFICATION = 20;

export function mppForMagnification(magnification: number): number {
  return (MPP_AT_40X * 40) / magnification;
}

export interface RegionPlanInput {
  /** ROI bounds in level-0 pixels. */
  width: number;
  height: number;
  /** Level-0 microns per pixel; null when the slide does not say. */
  slideMpp: number | null;
  magnification: number;
  /** The processor's limit on image pixels (preprocessor_config.json max_pixels). */
  maxPixels: number;
}

export type RegionPlan =
  { ok: true; targetMpp: number | null; outputWidth: number; outputHeight: number; effectiveMagnification: number | null } | { ok: false; reason: string };

export function planRegionRead({ width, height, slideMpp, magnification, maxPixels }: RegionPlanInput): RegionPlan {
  if (!(width >= 1 && height >= 1)) return { ok: false, reason: 'The region is empty: draw a larger region.' };
  if (slideMpp === null) {
    // Without a scale we can only read full-resolution pixels; refuse what would be far too many.
    if (width * height > maxPixels * 16) {
      return {
        ok: false,
        reason: `This slide does not say its scale, so the region is read at full resolution, and ${width} x ${height} pixels is too large: draw a smaller region.`,
      };
    }
    return { ok: true, targetMpp: null, outputWidth: Math.round(width), outputHeight: Math.round(height), effectiveMagnification: null };
  }
  const wantedMpp = Math.max(mppForMagnification(magnification), slideMpp);
  // Coarser than wanted when the region at that magnification would exceed the processor's limit.
  const fitMpp = slideMpp * Math.sqrt((width * height) / maxPixels);
  const targetMpp = Math.max(wantedMpp, fitMpp);
  const scale = slideMpp / targetMpp;
  return {
    ok: true,
    targetMpp,
    outputWidth: Math.max(1, Math.round(width * scale)),
    outputHeight: Math.max(1, Math.round(height * scale)),
    effectiveMagnification: (MPP_AT_40X * 40) / targetMpp,
  };
}
