/**
 * A scale bar with a "nice" length (1, 2 or 5 × 10^k µm) that fits in a given width on screen, labelled in µm
 * below 1 mm and in mm from 1 mm. Pure: the component only draws what this returns.
 */

export type ScaleBar = { known: true; lengthMicrons: number; widthPixels: number; label: string } | { known: false; label: 'unknown scale' };

const NICE_STEPS = [1, 2, 5] as const;

/**
 * @param micronsPerScreenPixel µm shown by one screen pixel at the current zoom (null: unknown scale)
 * @param maxWidthPixels the longest the bar may be on screen
 */
export function scaleBar(micronsPerScreenPixel: number | null, maxWidthPixels: number): ScaleBar {
  if (micronsPerScreenPixel === null || !(micronsPerScreenPixel > 0) || !Number.isFinite(micronsPerScreenPixel) || !(maxWidthPixels > 0)) {
    return { known: false, label: 'unknown scale' };
  }
  const maxMicrons = micronsPerScreenPixel * maxWidthPixels;
  const lengthMicrons = niceLengthAtMost(maxMicrons);
  return { known: true, lengthMicrons, widthPixels: lengthMicrons / micronsPerScreenPixel, label: formatLength(lengthMicrons) };
}

/** The largest 1/2/5 × 10^k not above `limit`. */
export function niceLengthAtMost(limit: number): number {
  let exponent = Math.floor(Math.log10(limit));
  // Guard against log10 rounding (e.g. log10(1000) = 2.9999999999999996).
  if (10 ** (exponent + 1) <= limit) exponent += 1;
  let best = 10 ** exponent;
  for (const step of NICE_STEPS) {
    const candidate = step * 10 ** exponent;
    if (candidate <= limit * (1 + 1e-12)) best = candidate;
  }
  return roundFloat(best);
}

/** "250 µm", "1 mm", "2.5 mm", "0.5 µm". */
export function formatLength(microns: number): string {
  if (microns >= 1000) return `${formatNumber(microns / 1000)} mm`;
  return `${formatNumber(microns)} µm`;
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function roundFloat(value: number): number {
  return Number(value.toPrecision(12));
}
