/**
 * Leica SCN (tests/fixtures/scn, written by make_scn_fixtures.py as the SCN400 software writes them: BigTIFF, macro
 * first with the XML, each main image's pyramid in quarters), compared with OpenSlide 4, which reads both files as
 * `leica`: every level's pixels, the regions placed by their offsets (two tissue sections, one of them a fraction
 * of a pixel off the grid at the reduced levels, glass between them), scale, objective and the leica.* properties.
 * Scanned regions PathoLens could not place as OpenSlide does are refused with a sentence.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError, type SlideSource } from '../../src/slide/slide-source';
import { resolveTileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { fixturePath } from '../fixtures';
import { compare, decodeWithLibjpeg } from './fixtures';
import { expectMutationsRefusedOrRead } from './fuzz';

interface Note {
  detect_format: string;
  bounds: [number, number, number, number];
  regions: [number, number, number, number][];
  properties: Record<string, string>;
  associated: Record<string, [number, number]>;
  levels: { width: number; height: number; downsample: number; transparent: number; png: string }[];
}
const ONE = 'scn/leica-scn400.scn';
const TWO = 'scn/leica-two-regions.scn';
const noteOf = (path: string) => JSON.parse(readFileSync(fixturePath(`${path}.json`), 'utf8')) as Note;
const libjpeg = {
  decodeTile: async (request: Parameters<typeof resolveTileRequest>[0]) => decodeTile(await resolveTileRequest(request), { jpeg: decodeWithLibjpeg }),
};

/** Each level read whole at its own resolution, against OpenSlide's read_region of the bounding box. */
async function levelDiffs(slide: SlideSource, path: string): Promise<{ mean: number; max: number; perChannel: number[] }[]> {
  const note = noteOf(path);
  expect(slide.metadata.levels.length).toBe(note.levels.length);
  const out = [];
  for (const [k, level] of note.levels.entries()) {
    const { data, info } = await sharp(fixturePath(`scn/${level.png}`))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const region = await slide.readRegion({ x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height }, slide.metadata.mppX! * level.downsample);
    expect([region.width, region.height, region.level]).toEqual([info.width, info.height, k]);
    out.push(compare(region.data, data));
  }
  return out;
}

/** The file with its XML edited in place (same length, so no offset moves). */
function withXml(path: string, edit: (xml: string) => string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(fixturePath(path)));
  const text = Buffer.from(bytes).toString('latin1');
  const start = text.indexOf('<?xml');
  const end = text.indexOf('</scn>', start) + '</scn>'.length;
  const edited = edit(text.slice(start, end));
  expect(edited.length).toBe(end - start);
  bytes.set(Buffer.from(edited, 'latin1'), start);
  return bytes;
}

async function refusal(bytes: Uint8Array): Promise<string> {
  const error = await openSlideNode({ name: 'edited.scn', bytes }).then(
    async (slide) => {
      await slide.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlideError);
  return (error as SlideError).message;
}

describe('Leica SCN against OpenSlide', () => {
  for (const path of [ONE, TWO]) {
    it(`${path}: levels, scale, objective, macro and the leica.* properties are OpenSlide's`, async () => {
      const note = noteOf(path);
      expect(note.detect_format).toBe('leica');
      const slide = await openSlideNode({ path: fixturePath(path) });
      const { metadata } = slide;
      expect(metadata).toMatchObject({ format: 'leica-scn', vendor: 'Leica', compression: 'JPEG' });
      expect(metadata.levels.map((l) => [l.width, l.height, l.downsample])).toEqual(note.levels.map((l) => [l.width, l.height, l.downsample]));
      // MPP from the XML (view nm / pixels); OpenSlide takes it from the TIFF resolution tags: they agree.
      expect(metadata.mppX).toBeCloseTo(Number(note.properties['openslide.mpp-x']), 9);
      expect(metadata.mppY).toBeCloseTo(Number(note.properties['openslide.mpp-y']), 9);
      expect(metadata.objectivePower).toBe(Number(note.properties['openslide.objective-power']));
      for (const [key, value] of Object.entries(note.properties)) if (key.startsWith('leica.')) expect(metadata.properties[key], key).toBe(value);
      // Where level 0 lies in OpenSlide's coordinates: its bounds and regions.
      const [bx, by, bw, bh] = note.bounds;
      expect(['x', 'y', 'width', 'height'].map((k) => Number(metadata.properties[`leica.bounds-${k}`]))).toEqual([bx, by, bw, bh]);
      expect([metadata.width, metadata.height]).toEqual([bw, bh]);
      note.regions.forEach((region, n) =>
        expect(['x', 'y', 'width', 'height'].map((k) => Number(metadata.properties[`leica.region[${n}].${k}`]))).toEqual(region),
      );
      expect(metadata.associatedImages).toEqual(Object.keys(note.associated));
      const macro = await slide.readAssociatedImage('macro');
      expect([macro.width, macro.height]).toEqual(note.associated.macro);
      await slide.close();
    });

    it(`${path}: every level equals OpenSlide's read_region (libjpeg-turbo, as OpenSlide and Chromium)`, async () => {
      const slide = await openSlideNode({ path: fixturePath(path) }, libjpeg);
      for (const [k, diff] of (await levelDiffs(slide, path)).entries()) {
        console.info(`${path} level ${k} (libjpeg-turbo): mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
        expect(diff.mean).toBeLessThanOrEqual(0.05);
      }
      await slide.close();
    });

    it(`${path}: every level with the default (pure-JS) JPEG decoder is within the JPEG bound`, async () => {
      const slide = await openSlideNode({ path: fixturePath(path) });
      for (const [k, diff] of (await levelDiffs(slide, path)).entries()) {
        console.info(`${path} level ${k} (pure JS): mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
        // geotiff.js's JPEG decoder repeats the 4:2:0 chroma where libjpeg-turbo interpolates it ("fancy upsampling"):
        // measured 1.6-4.6 (max ~110 at the nuclei's sharp colour edges; the smaller levels are mostly edges);
        // green and blue carry it (red stays under 1.2). Placement is checked by the libjpeg-turbo test above (region B
        // rounded instead of truncated, one pixel off at level 1: mean 2.86, max 255).
        console.info(`  per channel ${diff.perChannel.map((v) => v.toFixed(2)).join(' / ')}`);
        expect(diff.mean).toBeLessThanOrEqual(6);
      }
      await slide.close();
    });
  }

  it('two regions: glass (white) where OpenSlide paints nothing, each region where OpenSlide puts it', async () => {
    const note = noteOf(TWO);
    const slide = await openSlideNode({ path: fixturePath(TWO) }, libjpeg);
    // The 32-px band of glass between the sections at level 0, and the corner right of section B.
    const band = await slide.readRegion({ x: 0, y: 256, width: 512, height: 32 }, null);
    expect(band.data.every((v) => v === 255)).toBe(true);
    const [bx, by] = note.bounds;
    const [rx, ry, rw, rh] = note.regions[1]!;
    const right = await slide.readRegion({ x: rx - bx + rw, y: ry - by, width: 512 - (rx - bx + rw), height: rh }, null);
    expect(right.data.every((v) => v === 255)).toBe(true);
    expect(note.levels[0]!.transparent).toBe(512 * 480 - 512 * 256 - 256 * 192);
    await slide.close();
  });

  it('regions PathoLens cannot place as OpenSlide does, and slides without a brightfield scan, are refused with a sentence', async () => {
    // Section B scanned with another objective.
    let at = 0;
    const otherObjective = withXml(TWO, (xml) => xml.replace(/<objective>20<\/objective>/g, (m) => (++at === 2 ? '<objective>40</objective>' : m)));
    expect(await refusal(otherObjective)).toMatch(/Leica SCN slide whose scanned regions differ \(objective 20 with 3 levels, and 40 with 3\)/);
    // Section B's view 8 % wider than its pixels: a different resolution.
    const otherResolution = withXml(TWO, (xml) => xml.replace('<view sizeX="128000"', '<view sizeX="138000"'));
    expect(await refusal(otherResolution)).toMatch(/Leica SCN slide whose scanned regions have different resolutions/);
    // A fluorescence-only slide (OpenSlide rejects it too).
    const darkfield = withXml(ONE, (xml) => xml.replaceAll('>brightfield<', '>darkfield  <'));
    expect(await refusal(darkfield)).toMatch(/Leica SCN slide with no brightfield image \(its scans are darkfield\)/);
    // A level in an image directory the file does not have.
    const missing = withXml(ONE, (xml) => xml.replace('ifd="4"', 'ifd="9"'));
    expect(await refusal(missing)).toMatch(/Leica SCN slide whose XML names image directory 9, which the file does not have/);
    // A view without its offset.
    const noOffset = withXml(ONE, (xml) => xml.replace(/offsetX="8000000"/, 'offsetQ="8000000"'));
    expect(await refusal(noOffset)).toMatch(/Leica SCN slide whose XML gives the view of image 2 no whole-number offsetX/);
  });

  it('mutated SCN files give a SlideError or read, never another error, a hang or an unjustified allocation', async () => {
    const files = [ONE, TWO].map((path) => new Uint8Array(readFileSync(fixturePath(path))));
    const text = Buffer.from(files[1]!).toString('latin1');
    const start = text.indexOf('<?xml');
    const end = text.indexOf('</scn>');
    await expectMutationsRefusedOrRead({
      files,
      name: 'fuzzed.scn',
      // The BigTIFF header, the first IFD and the XML (the macro and main IFDs lie after the tiles, hit otherwise).
      aim: () => [0, end + 6],
      words: [0x30303030, 0x39393939, 0x2d2d2d2d, 0x22202220],
      numRuns: 200,
    });
    expect(start).toBeGreaterThan(0);
  }, 180_000);
});
