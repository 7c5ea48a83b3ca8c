/**
 * Philips TIFF (tests/fixtures/philips, written by make_philips_fixtures.py as IntelliSite exports it), compared
 * level by level with OpenSlide 4: levels padded to whole tiles get their sizes and downsamples from the XML's
 * pixel spacings, unwritten tiles are white, label and macro come from their pages.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { resolveTileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { fixturePath } from '../fixtures';
import { compare, decodeWithLibjpeg } from './fixtures';

const PHILIPS = 'philips/philips-layout.tiff';
const note = JSON.parse(readFileSync(fixturePath(`${PHILIPS}.json`), 'utf8')) as {
  levels: { width: number; height: number; downsample: number; png: string }[];
  mpp: [number, number];
  associated: Record<string, [number, number]>;
  unwrittenTiles: [number, number][];
};
const libjpeg = {
  decodeTile: async (request: Parameters<typeof resolveTileRequest>[0]) => decodeTile(await resolveTileRequest(request), { jpeg: decodeWithLibjpeg }),
};

describe('Philips TIFF against OpenSlide', () => {
  it('levels (sizes and downsamples from the pixel spacings, not the padded pages), scale, label and macro', async () => {
    const slide = await openSlideNode({ path: fixturePath(PHILIPS) });
    expect(slide.metadata.format).toBe('philips-tiff');
    expect(slide.metadata.vendor).toBe('Philips');
    expect(slide.metadata.levels.map((l) => [l.width, l.height, l.downsample])).toEqual(note.levels.map((l) => [l.width, l.height, l.downsample]));
    expect([slide.metadata.mppX, slide.metadata.mppY]).toEqual(note.mpp);
    expect(slide.metadata.properties['philips.DICOM_MANUFACTURER']).toBe('PHILIPS');
    expect([...slide.metadata.associatedImages].sort()).toEqual(Object.keys(note.associated).sort());
    for (const [name, size] of Object.entries(note.associated)) {
      const image = await slide.readAssociatedImage(name as 'label' | 'macro');
      expect([image.width, image.height]).toEqual(size);
    }
    await slide.close();
  });

  it('every level equals OpenSlide’s pixels (libjpeg-turbo), unwritten tiles white as OpenSlide renders them', async () => {
    const slide = await openSlideNode({ path: fixturePath(PHILIPS) }, libjpeg);
    for (const [k, level] of note.levels.entries()) {
      const { data, info } = await sharp(fixturePath(`philips/${level.png}`))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const region = await slide.readRegion(
        { x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height },
        slide.metadata.mppX! * level.downsample,
      );
      expect([region.width, region.height, region.level]).toEqual([info.width, info.height, k]);
      const diff = compare(region.data, data);
      console.info(`Philips level ${k}: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
      expect(diff.mean).toBe(0);
    }
    for (const [column, row] of note.unwrittenTiles) {
      const tile = await slide.readTile(0, column, row);
      expect(tile.data.every((v) => v === 255)).toBe(true);
    }
    await slide.close();
  });

  it('without usable pixel spacings the pages’ own sizes are used (no crash, no invented scale)', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath(PHILIPS)));
    const text = Buffer.from(bytes).toString('latin1');
    // Break every DICOM_PIXEL_SPACING name (same length), as a damaged export would.
    for (let at = text.indexOf('DICOM_PIXEL_SPACING'); at !== -1; at = text.indexOf('DICOM_PIXEL_SPACING', at + 1)) bytes[at] = 0x58;
    const slide = await openSlideNode({ name: 'no-spacing.tiff', bytes });
    expect(slide.metadata.format).toBe('philips-tiff');
    expect(slide.metadata.mppX).toBeNull();
    expect(slide.metadata.levels[1]!.downsample).toBeCloseTo(384 / 256, 6);
    await slide.close();
  });
});
