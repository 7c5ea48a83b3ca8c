/** Microns per pixel from the TIFF XResolution/YResolution/ResolutionUnit tags (pixels per unit). */
import { plausibleMpp } from './slide-numbers';

const MICRONS_PER_UNIT: Record<number, number> = { 2: 25_400, 3: 10_000 }; // inch, centimetre

export function mppFromTiffResolution(pixelsPerUnit: number | undefined, unit: number | undefined): number | null {
  // Unit 1 ("no absolute unit") or a missing tag says nothing about physical size.
  const micronsPerUnit = MICRONS_PER_UNIT[unit ?? 2];
  if (!micronsPerUnit || pixelsPerUnit === undefined || !(pixelsPerUnit > 0)) return null;
  return plausibleMpp(micronsPerUnit / pixelsPerUnit);
}

/** Densities that image software writes by default (screen and print), never a microscope's. */
const DEFAULT_DPI = new Set([72, 96, 150, 200, 240, 300, 600]);

/**
 * A sentence when a scale read from the resolution tags is probably a software default rather than the scanner's:
 * a screen/print density in pixels per inch, or more than 10 µm per pixel (coarser than any slide scan's level 0).
 * Null when the tags look like a real pixel size.
 */
export function tiffResolutionScaleNote(pixelsPerUnit: number | undefined, unit: number | undefined): string | null {
  const mpp = mppFromTiffResolution(pixelsPerUnit, unit);
  if (mpp === null || pixelsPerUnit === undefined) return null;
  // libvips writes its 72 dpi as 28.35 pixels per centimetre: compare in pixels per inch either way.
  const perInch = (unit ?? 2) === 2 ? pixelsPerUnit : pixelsPerUnit * 2.54;
  const defaultDensity = Math.abs(perInch - Math.round(perInch)) < 0.01 && DEFAULT_DPI.has(Math.round(perInch));
  if (!defaultDensity && mpp <= 10) return null;
  const density = Number.isInteger(Math.round(perInch * 100) / 100) ? `${Math.round(perInch)} pixels per inch` : `${perInch.toFixed(1)} pixels per inch`;
  return `The scale comes from the file's resolution tags (${density}, ${mpp.toFixed(1)} µm per pixel), which look like an image program's default, not a scanner's: sizes, the scale bar and magnifications may be wrong.`;
}
