/**
 * A smaller region on a slow processor, said to the user: when this computer's measured speed says the largest
 * region Patho-R1 takes (about 1 megapixel) would keep them waiting past FIRST_TOKEN_TARGET_MS for the first token,
 * regions are read at most at the size that fits the target (never below 448 x 448 px). The answer card says so and
 * "Full-size regions" turns it off. Pure: the estimate comes in as a function (modelStore's, from the worker).
 */

export const FIRST_TOKEN_TARGET_MS = 30_000;
/** Below this a region loses too much context to be worth asking about. */
export const SLOW_DEVICE_MIN_PIXELS = 448 * 448;
/** Qwen2.5-VL reads images in 28-px steps (14-px patches merged 2 x 2). */
const STEP = 28;

export type FirstTokenEstimate = (width: number, height: number) => number | null;

/** The pixel budget that keeps the estimated first-token time within the target, or null when maxPixels already does. */
export function slowDevicePixelCap(estimate: FirstTokenEstimate, maxPixels: number, targetMs = FIRST_TOKEN_TARGET_MS): number | null {
  const fullSide = Math.floor(Math.sqrt(maxPixels));
  const full = estimate(fullSide, fullSide);
  if (full === null || full <= targetMs) return null;
  for (let side = STEP * Math.floor(fullSide / STEP); side * side > SLOW_DEVICE_MIN_PIXELS; side -= STEP) {
    const ms = estimate(side, side);
    if (ms !== null && ms <= targetMs) return side * side;
  }
  return Math.min(SLOW_DEVICE_MIN_PIXELS, maxPixels);
}
