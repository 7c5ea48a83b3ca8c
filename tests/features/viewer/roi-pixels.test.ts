import { describe, expect, it } from 'vitest';
import type { SlideRect, SlideSource } from '../../../src/slide/slide-source';
import { selectedRoi } from '../../../src/session/slide-store';
import { readRoiPixels, roiReadRect } from '../../../src/features/viewer/roi-pixels';

describe('ROI pixels for the models', () => {
  it('covers the ROI with whole pixels, clipped to the slide', () => {
    const slide = { width: 100, height: 80 };
    expect(roiReadRect({ kind: 'rectangle', rect: { x: 10.4, y: 5.6, width: 20.2, height: 10 } }, slide)).toEqual({ x: 10, y: 5, width: 21, height: 11 });
    expect(
      roiReadRect(
        {
          kind: 'polygon',
          points: [
            { x: 90, y: 70 },
            { x: 120, y: 75 },
            { x: 95, y: 99 },
          ],
        },
        slide,
      ),
    ).toEqual({ x: 90, y: 70, width: 10, height: 10 });
    expect(roiReadRect({ kind: 'rectangle', rect: { x: 200, y: 0, width: 5, height: 5 } }, slide)).toBeNull();
  });

  it('reads through readRegion at the requested µm/px', async () => {
    const calls: [SlideRect, number | null][] = [];
    const source = {
      metadata: { width: 100, height: 80 },
      readRegion: async (rect: SlideRect, mpp: number | null) => {
        calls.push([rect, mpp]);
        return { width: 1, height: 1, data: new Uint8ClampedArray(4), mpp, level: 0, downsample: 1 };
      },
    } as unknown as SlideSource;
    await readRoiPixels(source, { kind: 'rectangle', rect: { x: 1, y: 2, width: 3, height: 4 } }, 0.5);
    expect(calls).toEqual([[{ x: 1, y: 2, width: 3, height: 4 }, 0.5]]);
    await expect(readRoiPixels(source, { kind: 'rectangle', rect: { x: 500, y: 2, width: 3, height: 4 } }, null)).rejects.toThrow('outside the slide');
  });

  it('knows the selected ROI', () => {
    const roi = { id: 'a', name: 'A', createdAt: 0, shape: { kind: 'rectangle' as const, rect: { x: 0, y: 0, width: 1, height: 1 } } };
    expect(selectedRoi({ rois: [roi], selectedRoiId: 'a' })).toBe(roi);
    expect(selectedRoi({ rois: [roi], selectedRoiId: null })).toBeNull();
    expect(selectedRoi({ rois: [], selectedRoiId: 'a' })).toBeNull();
  });
});
