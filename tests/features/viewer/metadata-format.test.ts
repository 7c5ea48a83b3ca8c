import { describe, expect, it } from 'vitest';
import type { SlideMetadata } from '../../../src/slide/slide-source';
import { levelRows, metadataRows } from '../../../src/features/viewer/metadata-format';

const base: SlideMetadata = {
  name: 'CMU-1.svs',
  format: 'aperio-svs',
  vendor: 'Aperio',
  width: 46000,
  height: 32914,
  levels: [
    { width: 46000, height: 32914, downsample: 1, tileWidth: 256, tileHeight: 256 },
    { width: 11500, height: 8228, downsample: 4.000121536217793, tileWidth: 256, tileHeight: 256 },
  ],
  mppX: 0.499,
  mppY: 0.499,
  objectivePower: 20,
  compression: 'JPEG',
  associatedImages: ['label', 'macro', 'thumbnail'],
  properties: {},
};

const value = (metadata: SlideMetadata, label: string) => metadataRows(metadata).find((row) => row.label === label)?.value;

describe('metadata panel text', () => {
  it('describes an Aperio slide', () => {
    expect(value(base, 'Dimensions')).toBe('46000 × 32914 px');
    expect(value(base, 'Pixel size (MPP)')).toBe('0.499 µm/px');
    expect(value(base, 'Objective power')).toBe('20x');
    expect(value(base, 'Native magnification')).toBe('20x');
    expect(value(base, 'Vendor')).toBe('Aperio');
    expect(value(base, 'Compression')).toBe('JPEG');
    expect(levelRows(base)).toEqual(['Level 0: 46000 × 32914 px, downsample 1, tiles 256 × 256', 'Level 1: 11500 × 8228 px, downsample 4, tiles 256 × 256']);
  });

  it('says what is unknown, and shows non-square pixels', () => {
    const bare = { ...base, vendor: null, mppX: null, mppY: null, objectivePower: null, compression: null };
    expect(value(bare, 'Pixel size (MPP)')).toBe('unknown scale');
    expect(value(bare, 'Native magnification')).toBe('unknown scale');
    expect(value(bare, 'Objective power')).toBe('unknown');
    expect(value(bare, 'Vendor')).toBe('unknown');
    expect(value({ ...base, objectivePower: null, mppX: 0.25, mppY: 0.5 }, 'Pixel size (MPP)')).toBe('0.25 × 0.5 µm/px');
    expect(value({ ...base, objectivePower: null, mppX: 0.25, mppY: 0.25 }, 'Native magnification')).toBe('40x');
  });
});

describe('slide titles', () => {
  it('uses the file name, or the end of a URL', async () => {
    const { displayName } = await import('../../../src/features/viewer/metadata-format');
    expect(displayName('CMU-1.svs')).toBe('CMU-1.svs');
    expect(displayName('http://127.0.0.1:4173/demo/demo-slide.svs')).toBe('demo-slide.svs');
    expect(displayName('https://iiif.example/iiif/3/slide%201/info.json')).toBe('slide 1');
    expect(displayName('https://tiles.example/')).toBe('tiles.example');
  });
});
