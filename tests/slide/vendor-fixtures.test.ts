/**
 * Slides written the way vendors write them (tests/fixtures/vendor, made by make_vendor_fixtures.py), opened
 * through openSlideNode and compared with what an independent reader (OpenSlide, tifffile) decoded from the
 * same file. Each case is a defect that once showed wrong pixels without an error.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError, type SlideSource } from '../../src/slide/slide-source';
import { fixturePath } from '../fixtures';

const vendor = (name: string) => fixturePath(`vendor/${name}`);

async function referencePng(name: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(vendor(name)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Mean and max |difference| over the colour channels, and the per-channel means. */
export function compare(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; max: number; perChannel: number[] } {
  const sums = [0, 0, 0];
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const c = i % 4;
    if (c === 3) continue;
    const d = Math.abs(a[i]! - b[i]!);
    sums[c]! += d;
    max = Math.max(max, d);
  }
  const pixels = a.length / 4;
  const perChannel = sums.map((s) => s / pixels);
  return { mean: (sums[0]! + sums[1]! + sums[2]!) / (3 * pixels), max, perChannel };
}

/** Reads a whole level and compares it with the reference reader's PNG of that level. */
async function levelAgainst(slide: SlideSource, level: number, png: string) {
  const reference = await referencePng(png);
  const { downsample } = slide.metadata.levels[level]!;
  const region = await slide.readRegion({ x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height }, slide.metadata.mppX === null ? null : slide.metadata.mppX * downsample);
  expect([region.width, region.height, region.level]).toEqual([reference.width, reference.height, level]);
  const diff = compare(region.data, reference.data);
  console.info(`${png}: mean |diff| ${diff.mean.toFixed(3)} (R/G/B ${diff.perChannel.map((d) => d.toFixed(2)).join('/')}), max ${diff.max}`);
  return diff;
}

describe('Aperio JPEG 2000 33003 with 2:1 subsampled chroma (as Aperio writes it), against OpenSlide', () => {
  const name = 'aperio-j2k-ycbcr-subsampled.svs';

  it('every level matches OpenSlide within JPEG 2000 rounding (was magenta/green: mean |diff| 28/51/44)', async () => {
    const slide = await openSlideNode({ path: vendor(name) });
    expect(slide.metadata).toMatchObject({ format: 'aperio-svs', compression: 'JPEG 2000 (Aperio 33003, YCbCr)', associatedImages: ['thumbnail'] });
    expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual([[256, 192], [128, 96]]);
    for (const level of [0, 1]) {
      const diff = await levelAgainst(slide, level, `${name}.level${level}.openslide.png`);
      expect(diff.mean).toBeLessThan(1);
      for (const channel of diff.perChannel) expect(channel).toBeLessThan(1.5);
    }
    await slide.close();
  });
});

describe('old-style JPEG (compression 6)', () => {
  it('is refused with a sentence that names it (it was said to be uncompressed subsampled YCbCr)', async () => {
    const error = await openSlideNode({ path: vendor('old-style-jpeg.tiff') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toBe(
      'old-style-jpeg.tiff uses old-style JPEG compression (TIFF code 6), which PathoLens cannot decode. Convert the slide to JPEG or JPEG 2000 tiles (e.g. with vips or bfconvert).',
    );
  });
});
