/**
 * Aperio SVS ImageDescription: "Aperio Image Library vX\r\n<header lines>|Key = Value|Key = Value...".
 * Pure parsing, no I/O.
 */
import { parseDecimal, plausibleMpp } from './slide-numbers';

export interface AperioDescription {
  /** Key = value pairs in file order (later duplicates win, as OpenSlide does). */
  properties: Record<string, string>;
  mpp: number | null;
  appMag: number | null;
}

export function isAperioDescription(description: string | undefined): boolean {
  return description !== undefined && description.startsWith('Aperio');
}

export function parseAperioDescription(description: string): AperioDescription {
  const properties: Record<string, string> = {};
  const parts = description.split('|');
  // The first part is free text (library version, geometry); pairs follow.
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key) properties[key] = value;
  }
  const mpp = plausibleMpp(parseDecimal(properties.MPP));
  const appMagValue = parseDecimal(properties.AppMag);
  return { properties, mpp, appMag: appMagValue !== null && appMagValue > 0 ? appMagValue : null };
}
