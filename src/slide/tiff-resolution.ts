/** Microns per pixel from the TIFF XResolution/YResolution/ResolutionUnit tags (pixels per unit). */
import { plausibleMpp } from './slide-numbers';

const MICRONS_PER_UNIT: Record<number, number> = { 2: 25_400, 3: 10_000 }; // inch, centimetre

export function mppFromTiffResolution(pixelsPerUnit: number | undefined, unit: number | undefined): number | null {
  // Unit 1 ("no absolute unit") or a missing tag says nothing about physical size.
  const micronsPerUnit = MICRONS_PER_UNIT[unit ?? 2];
  if (!micronsPerUnit || pixelsPerUnit === undefined || !(pixelsPerUnit > 0)) return null;
  return plausibleMpp(micronsPerUnit / pixelsPerUnit);
}
