/** Number parsing for vendor metadata, where "0,4990" (a decimal comma) means 0.499. */
export function parseDecimal(text: string | undefined | null): number | null {
  if (text == null) return null;
  const trimmed = text.trim();
  // A single comma and no dot is a decimal comma; "1,234.5" style thousands separators do not occur here.
  const normalised = /^[-+]?\d*,\d+(?:[eE][-+]?\d+)?$/.test(trimmed) ? trimmed.replace(',', '.') : trimmed;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(normalised)) return null;
  const value = Number(normalised);
  return Number.isFinite(value) ? value : null;
}

/** Microns per pixel a microscope can produce; anything outside is a broken or placeholder value. */
export function plausibleMpp(mpp: number | null): number | null {
  return mpp !== null && Number.isFinite(mpp) && mpp > 0.005 && mpp < 100_000 ? mpp : null;
}
