import { describe, expect, it } from 'vitest';
import { mppForMagnification, planRegionRead } from '../../src/session/region-plan';

describe('planRegionRead', () => {
  it('reads a small ROI at the chosen magnification', () => {
    const plan = planRegionRead({ width: 800, height: 600, slideMpp: 0.25, magnification: 20, maxPixels: 1_003_520 });
    expect(plan).toEqual({ ok: true, targetMpp: 0.5, outputWidth: 400, outputHeight: 300, effectiveMagnification: 20 });
  });

  it('never asks for more detail than the scan has', () => {
    const plan = planRegionRead({ width: 100, height: 100, slideMpp: 0.5, magnification: 40, maxPixels: 1_000_000 });
    expect(plan).toMatchObject({ ok: true, targetMpp: 0.5, outputWidth: 100, effectiveMagnification: 20 });
  });

  it('reads a large ROI coarser so it fits the processor limit', () => {
    const plan = planRegionRead({ width: 40_000, height: 20_000, slideMpp: 0.25, magnification: 20, maxPixels: 1_000_000 });
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.outputWidth * plan.outputHeight).toBeLessThanOrEqual(1_000_000 * 1.01);
    expect(plan.outputWidth / plan.outputHeight).toBeCloseTo(2, 2);
    expect(plan.effectiveMagnification!).toBeLessThan(20);
  });

  it('reads full resolution when the scale is unknown, and refuses huge regions with a sentence', () => {
    expect(planRegionRead({ width: 500, height: 400, slideMpp: null, magnification: 20, maxPixels: 1_000_000 })).toEqual({
      ok: true,
      targetMpp: null,
      outputWidth: 500,
      outputHeight: 400,
      effectiveMagnification: null,
    });
    const refused = planRegionRead({ width: 50_000, height: 50_000, slideMpp: null, magnification: 20, maxPixels: 1_000_000 });
    expect(refused).toMatchObject({ ok: false });
    expect(!refused.ok && refused.reason).toMatch(/does not say its scale.*draw a smaller region/);
    expect(planRegionRead({ width: 0, height: 10, slideMpp: 0.25, magnification: 20, maxPixels: 10 })).toMatchObject({ ok: false });
  });

  it('maps magnifications to the scanner convention', () => {
    expect(mppForMagnification(40)).toBe(0.25);
    expect(mppForMagnification(10)).toBe(1);
  });
});
