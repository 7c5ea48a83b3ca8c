/** Windows from a histogram equal the sorted-values order statistics; compositing adds coloured, windowed channels. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compositeChannels, ValueHistogram } from '../../src/slide/channel-composite';

describe('ValueHistogram', () => {
  it('gives the same range and 0.1/99.9th percentiles as sorting the values (signed and unsigned)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 65535 }), { minLength: 1, maxLength: 3000 }), (values) => {
        const histogram = new ValueHistogram();
        for (const v of values) histogram.add(v);
        const sorted = [...values].sort((a, b) => a - b);
        const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
        const [low, high] = [at(0.001), at(0.999)];
        expect(histogram.statistics()).toEqual({ min: sorted[0], max: sorted[sorted.length - 1], window: high > low ? [low, high] : [low, low + 1] });
      }),
    );
  });
});

describe('compositeChannels', () => {
  it('windows each visible channel to [0, 1], multiplies by its colour, adds and clips', () => {
    const dapi = { values: new Int8Array([-100, 0, 100, 127]), stride: 1, offset: 0 };
    const fitc = { values: new Uint16Array([0, 2000, 4095, 4095]), stride: 1, offset: 0 };
    const rgba = compositeChannels(
      [dapi, fitc],
      [
        { color: [0, 0, 255], window: [-100, 100], visible: true },
        { color: [255, 255, 0], window: [0, 4095], visible: true },
      ],
      4,
    );
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 125, 125, 128, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
    const hidden = compositeChannels(
      [dapi, fitc],
      [
        { color: [0, 0, 255], window: [-100, 100], visible: false },
        { color: [255, 255, 0], window: [0, 4095], visible: true },
      ],
      4,
    );
    expect(Array.from(hidden.filter((_, i) => i % 4 === 2))).toEqual([0, 0, 0, 0]);
  });
});
