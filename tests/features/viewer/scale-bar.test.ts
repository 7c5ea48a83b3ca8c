import { describe, expect, it } from 'vitest';
import { formatLength, niceLengthAtMost, scaleBar } from '../../../src/features/viewer/scale-bar';

describe('scale bar', () => {
  it('picks the largest 1/2/5 × 10^k length that fits', () => {
    expect(niceLengthAtMost(1)).toBe(1);
    expect(niceLengthAtMost(1000)).toBe(1000);
    expect(niceLengthAtMost(999)).toBe(500);
    expect(niceLengthAtMost(4.99)).toBe(2);
    expect(niceLengthAtMost(0.37)).toBe(0.2);
    expect(niceLengthAtMost(12345)).toBe(10000);
  });

  it('gives a bar no wider than allowed, labelled in µm or mm', () => {
    // 0.25 µm/px at 1:1 zoom, 150 px allowed: 37.5 µm -> 20 µm over 80 px
    expect(scaleBar(0.25, 150)).toEqual({ known: true, lengthMicrons: 20, widthPixels: 80, label: '20 µm' });
    const zoomedOut = scaleBar(16, 150); // 2400 µm fits -> 2 mm
    expect(zoomedOut).toMatchObject({ known: true, lengthMicrons: 2000, label: '2 mm' });
    if (zoomedOut.known) expect(zoomedOut.widthPixels).toBeCloseTo(125);
  });

  it('always stays within the width and above a fifth of it', () => {
    for (let mpp = 0.01; mpp < 1000; mpp *= 1.37) {
      const bar = scaleBar(mpp, 200);
      expect(bar.known).toBe(true);
      if (bar.known) {
        expect(bar.widthPixels).toBeLessThanOrEqual(200 + 1e-9);
        expect(bar.widthPixels).toBeGreaterThan(200 / 5 - 1e-9);
      }
    }
  });

  it('says "unknown scale" without a pixel size', () => {
    expect(scaleBar(null, 150)).toEqual({ known: false, label: 'unknown scale' });
    expect(scaleBar(0, 150).label).toBe('unknown scale');
    expect(scaleBar(Number.POSITIVE_INFINITY, 150).label).toBe('unknown scale');
  });

  it('formats lengths', () => {
    expect(formatLength(500)).toBe('500 µm');
    expect(formatLength(1000)).toBe('1 mm');
    expect(formatLength(2500)).toBe('2.5 mm');
    expect(formatLength(0.5)).toBe('0.5 µm');
  });
});
