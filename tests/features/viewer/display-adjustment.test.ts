import { describe, expect, it } from 'vitest';
import { NEUTRAL_ADJUSTMENT, adjustValue, isNeutral, transferTable } from '../../../src/features/viewer/display-adjustment';

describe('display adjustment', () => {
  it('neutral settings leave values unchanged', () => {
    expect(isNeutral(NEUTRAL_ADJUSTMENT)).toBe(true);
    expect(transferTable(NEUTRAL_ADJUSTMENT, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('brightness shifts, contrast stretches around mid-grey, gamma bends mid-tones', () => {
    expect(adjustValue(0.5, { brightness: 0.2, contrast: 1, gamma: 1 })).toBeCloseTo(0.7);
    expect(adjustValue(0.75, { brightness: 0, contrast: 2, gamma: 1 })).toBeCloseTo(1);
    expect(adjustValue(0.6, { brightness: 0, contrast: 0.5, gamma: 1 })).toBeCloseTo(0.55);
    expect(adjustValue(0.25, { brightness: 0, contrast: 1, gamma: 2 })).toBeCloseTo(0.5);
    expect(adjustValue(0.25, { brightness: 0, contrast: 1, gamma: 0.5 })).toBeCloseTo(0.0625);
  });

  it('stays within 0..1 and is monotonic for any setting', () => {
    for (const brightness of [-1, -0.3, 0, 0.4, 1]) {
      for (const contrast of [0, 0.5, 1, 3]) {
        for (const gamma of [0.2, 1, 5]) {
          const table = transferTable({ brightness, contrast, gamma }, 32);
          expect(table).toHaveLength(32);
          table.forEach((value, i) => {
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(1);
            if (i > 0) expect(value).toBeGreaterThanOrEqual(table[i - 1]!);
          });
        }
      }
    }
  });
});
