/**
 * Who answers for Practice (the Models tab's choice for the 'practice' task: this device or the server) and how a
 * slide region is read for it: at the Ask tab's default magnification, within Qwen2.5-VL's max_pixels. Shared by
 * the authoring form's "Draft explanation" (and open to ModelAnswer's "Ask Patho-R1").
 */
import { InferenceError } from '../../inference/inference-error';
import { DEFAULT_ASK_MAGNIFICATION, planRegionRead } from '../../session/region-plan';
import type { RgbaImage, SlideRect, SlideSource } from '../../slide/slide-source';
import type { AskDependencies } from '../ask';
import { modelStore } from '../models';

/** Qwen2.5-VL's default max_pixels, as the Ask tab reads regions. */
export const PRACTICE_MAX_PIXELS = 1_003_520;

export function practiceDependencies(): AskDependencies {
  return {
    backendLabel: () => modelStore.pathoR1Label('practice'),
    generate(request, callbacks) {
      const engine = modelStore.pathoR1Engine('practice');
      if (!engine) return Promise.reject(new InferenceError('not-loaded', 'Patho-R1 is not loaded'));
      return engine.generate(request, callbacks);
    },
  };
}

/** A region of the open slide as the model sees it; rejects with the plan's sentence when it cannot be read. */
export async function readRegionForModel(source: SlideSource, region: SlideRect, signal?: AbortSignal): Promise<RgbaImage> {
  const { mppX, mppY } = source.metadata;
  const slideMpp = mppX !== null && mppY !== null ? (mppX + mppY) / 2 : mppX;
  const plan = planRegionRead({
    width: region.width,
    height: region.height,
    slideMpp,
    magnification: DEFAULT_ASK_MAGNIFICATION,
    maxPixels: PRACTICE_MAX_PIXELS,
  });
  if (!plan.ok) throw new Error(plan.reason);
  return source.readRegion(region, plan.targetMpp, signal);
}
