/**
 * Brightness, contrast and gamma of the displayed slide (not of the pixels the models read). Expressed as a
 * transfer table that an SVG feComponentTransfer applies to the viewer's canvas on the GPU compositor.
 */

export interface DisplayAdjustment {
  /** Added to every channel, -1..1 (0 = none). */
  brightness: number;
  /** Slope around mid-grey, 0..3 (1 = none). */
  contrast: number;
  /** Output = input^(1/gamma), 0.2..5 (1 = none); above 1 lightens mid-tones. */
  gamma: number;
}

export const NEUTRAL_ADJUSTMENT: DisplayAdjustment = { brightness: 0, contrast: 1, gamma: 1 };

export const ADJUSTMENT_LIMITS = {
  brightness: { min: -1, max: 1, step: 0.05 },
  contrast: { min: 0, max: 3, step: 0.05 },
  gamma: { min: 0.2, max: 5, step: 0.05 },
} as const;

export function isNeutral(adjustment: DisplayAdjustment): boolean {
  return adjustment.brightness === 0 && adjustment.contrast === 1 && adjustment.gamma === 1;
}

/** One channel value 0..1 through contrast, then brightness, then gamma; clamped to 0..1. */
export function adjustValue(value: number, adjustment: DisplayAdjustment): number {
  const contrasted = (value - 0.5) * adjustment.contrast + 0.5;
  const brightened = clamp01(contrasted + adjustment.brightness);
  const gamma = adjustment.gamma > 0 ? adjustment.gamma : 1;
  return clamp01(brightened ** (1 / gamma));
}

/** `size` evenly spaced samples of the transfer curve (input 0..1), for feComponentTransfer type="table". */
export function transferTable(adjustment: DisplayAdjustment, size = 64): number[] {
  const samples = Math.max(2, Math.floor(size));
  return Array.from({ length: samples }, (_, i) => round4(adjustValue(i / (samples - 1), adjustment)));
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}
