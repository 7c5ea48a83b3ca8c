/**
 * Objective magnification of what is on screen, and the zoom that gives a chosen magnification.
 * Convention used by scanners and QuPath: 10x objective ≈ 1 µm per pixel, so magnification = 10 / µm-per-pixel
 * when one screen pixel shows one level-0 pixel. Pure: no DOM, no OpenSeadragon.
 */

export const MAGNIFICATION_PRESETS = [1.25, 2.5, 5, 10, 20, 40] as const;
export type MagnificationPreset = (typeof MAGNIFICATION_PRESETS)[number];

/** µm per pixel that corresponds to 1x (10x ≈ 1 µm/px). */
const MICRONS_PER_PIXEL_AT_1X = 10;

export interface ScaleInfo {
  mppX: number | null;
  mppY: number | null;
  objectivePower: number | null;
}

function positiveFinite(value: number | null): value is number {
  return value !== null && Number.isFinite(value) && value > 0;
}

/**
 * Magnification when one screen pixel shows one level-0 pixel. The scanner's objective power wins when it is
 * known (it is what pathologists read on the slide label); otherwise it is derived from the pixel size.
 * Null when the slide says neither ("unknown scale").
 */
export function nativeMagnification(scale: ScaleInfo): number | null {
  if (positiveFinite(scale.objectivePower)) return scale.objectivePower;
  const mpp = meanMpp(scale);
  return mpp === null ? null : MICRONS_PER_PIXEL_AT_1X / mpp;
}

/** Mean of the x and y pixel sizes (most scanners have square pixels), null when unknown. */
export function meanMpp(scale: Pick<ScaleInfo, 'mppX' | 'mppY'>): number | null {
  const known = [scale.mppX, scale.mppY].filter(positiveFinite);
  if (known.length === 0) return null;
  return known.reduce((sum, value) => sum + value, 0) / known.length;
}

/** Magnification shown at `screenPixelsPerImagePixel` (screen CSS pixels per level-0 pixel). */
export function magnificationAtZoom(native: number | null, screenPixelsPerImagePixel: number): number | null {
  if (native === null || !(screenPixelsPerImagePixel > 0)) return null;
  return native * screenPixelsPerImagePixel;
}

/** Screen pixels per level-0 pixel that show the slide at `magnification`. */
export function zoomForMagnification(native: number | null, magnification: number): number | null {
  if (native === null || !(magnification > 0)) return null;
  return magnification / native;
}

/** Keys 1-6 select the presets 1.25x..40x; any other key is not a preset. */
export function presetForKey(key: string): MagnificationPreset | null {
  const index = Number.parseInt(key, 10) - 1;
  if (!/^[1-6]$/.test(key)) return null;
  return MAGNIFICATION_PRESETS[index] ?? null;
}

/** "10x", "1.25x", "0.3x"; "unknown scale" when the magnification cannot be known. */
export function formatMagnification(magnification: number | null): string {
  if (magnification === null || !Number.isFinite(magnification)) return 'unknown scale';
  if (magnification >= 10) return `${Math.round(magnification * 10) / 10}x`;
  if (magnification >= 1) return `${Math.round(magnification * 100) / 100}x`;
  return `${Number(magnification.toPrecision(2))}x`;
}
