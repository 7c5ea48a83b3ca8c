import { describe, expect, it } from 'vitest';
import {
  MAGNIFICATION_PRESETS,
  formatMagnification,
  magnificationAtZoom,
  meanMpp,
  nativeMagnification,
  presetForKey,
  zoomForMagnification,
} from '../../../src/features/viewer/magnification';

describe('magnification', () => {
  it('takes the objective power when the scanner gives it', () => {
    expect(nativeMagnification({ mppX: 0.499, mppY: 0.499, objectivePower: 20 })).toBe(20);
  });

  it('derives it from the pixel size otherwise (0.25 µm/px = 40x, 0.5 µm/px = 20x)', () => {
    expect(nativeMagnification({ mppX: 0.25, mppY: 0.25, objectivePower: null })).toBeCloseTo(40);
    expect(nativeMagnification({ mppX: 0.5, mppY: null, objectivePower: null })).toBeCloseTo(20);
    expect(meanMpp({ mppX: 0.2, mppY: 0.3 })).toBeCloseTo(0.25);
  });

  it('is unknown without either, and ignores nonsense values', () => {
    expect(nativeMagnification({ mppX: null, mppY: null, objectivePower: null })).toBeNull();
    expect(nativeMagnification({ mppX: 0, mppY: Number.NaN, objectivePower: -5 })).toBeNull();
    expect(formatMagnification(magnificationAtZoom(null, 1))).toBe('unknown scale');
    expect(zoomForMagnification(null, 10)).toBeNull();
  });

  it('converts between zoom and magnification both ways', () => {
    expect(magnificationAtZoom(40, 0.25)).toBe(10);
    expect(zoomForMagnification(40, 10)).toBe(0.25);
    expect(zoomForMagnification(20, 40)).toBe(2);
    for (const preset of MAGNIFICATION_PRESETS) {
      expect(magnificationAtZoom(40, zoomForMagnification(40, preset)!)).toBeCloseTo(preset);
    }
  });

  it('maps keys 1-6 to the six presets and nothing else', () => {
    expect(['1', '2', '3', '4', '5', '6'].map(presetForKey)).toEqual([1.25, 2.5, 5, 10, 20, 40]);
    expect(presetForKey('0')).toBeNull();
    expect(presetForKey('7')).toBeNull();
    expect(presetForKey('12')).toBeNull();
    expect(presetForKey('r')).toBeNull();
  });

  it('formats readouts', () => {
    expect(formatMagnification(40)).toBe('40x');
    expect(formatMagnification(1.25)).toBe('1.25x');
    expect(formatMagnification(12.345)).toBe('12.3x');
    expect(formatMagnification(0.3125)).toBe('0.31x');
  });
});
