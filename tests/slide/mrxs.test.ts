/**
 * 3DHistech MIRAX (tests/fixtures/mrxs, written by make_mrxs_fixtures.py as a Pannoramic scanner lays a slide
 * out: overlapping camera photos at recorded stage positions, cut into images, joined and halved per zoom level,
 * one photo never scanned, two data files), compared level by level with OpenSlide 4's read_region; a missing
 * data file, an unknown image format and damaged files give SlideError sentences that name MRXS and the part.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../src/slide/byte-source';
import { openFileSet } from '../../src/slide/open-slide-core';
import { nodeDecoders, openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError, type SlideSource } from '../../src/slide/slide-source';
import { resolveTileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { fixturePath } from '../fixtures';
import { compare, decodeWithLibjpeg, failure } from './fixtures';
import { expectMutationsRefusedOrRead } from './fuzz';

const MRXS = 'mrxs/mirax-layout.mrxs';
const FOLDER = 'mrxs/mirax-layout';
/** An older scanner's layout: one PNG image per photo, raw VIMSLIDE_POSITION_BUFFER positions. */
const OLD_MRXS = 'mrxs/mirax-png-vimslide.mrxs';
interface Note {
  levels: { width: number; height: number; downsample: number; png: string }[];
  mpp: [number, number];
  objectivePower: number;
  associated: Record<string, [number, number]>;
  photoPositions: Record<string, [number, number]>;
}
const noteOf = (mrxs: string) => JSON.parse(readFileSync(fixturePath(`${mrxs}.json`), 'utf8')) as Note;
const note = noteOf(MRXS);
const libjpeg = {
  decodeTile: async (request: Parameters<typeof resolveTileRequest>[0]) => decodeTile(await resolveTileRequest(request), { jpeg: decodeWithLibjpeg }),
};
const options = { ...nodeDecoders, fetch: globalThis.fetch };

/** The folder's files as in-memory sources, with `replace` swapping one file's bytes (or dropping it: null). */
function folderFiles(replace: Record<string, Uint8Array | null> = {}) {
  const names = readdirSync(fixturePath(FOLDER)).sort();
  return names
    .filter((name) => replace[name] !== null)
    .map((name) => bufferSource(name, replace[name] ?? new Uint8Array(readFileSync(join(fixturePath(FOLDER), name)))));
}

async function levelDiff(slide: SlideSource, level: number, which: Note = note) {
  const { data, info } = await sharp(fixturePath(`mrxs/${which.levels[level]!.png}`))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const region = await slide.readRegion(
    { x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height },
    slide.metadata.mppX! * slide.metadata.levels[level]!.downsample,
  );
  expect([region.width, region.height, region.level]).toEqual([info.width, info.height, level]);
  const diff = compare(region.data, data);
  console.info(`MRXS ${slide.metadata.name} level ${level}: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
  return diff;
}

describe('3DHistech MRXS against OpenSlide', () => {
  it('levels, downsamples, scale, magnification, associated images and the ini as properties', async () => {
    const slide = await openSlideNode({ path: fixturePath(MRXS) });
    expect(slide.metadata.name).toBe('mirax-layout.mrxs');
    expect(slide.metadata.format).toBe('mirax');
    expect(slide.metadata.vendor).toBe('3DHistech');
    expect(slide.metadata.levels.map((l) => [l.width, l.height, l.downsample])).toEqual(note.levels.map((l) => [l.width, l.height, l.downsample]));
    expect([slide.metadata.mppX, slide.metadata.mppY]).toEqual(note.mpp);
    expect(slide.metadata.objectivePower).toBe(note.objectivePower);
    expect(slide.metadata.compression).toBe('JPEG');
    expect(slide.metadata.properties['mirax.GENERAL.CameraImageDivisionsPerSide']).toBe('2');
    expect(slide.metadata.properties['mirax.LAYER_0_LEVEL_0_SECTION.OVERLAP_X']).toBe('24');
    expect([...slide.metadata.associatedImages].sort()).toEqual(Object.keys(note.associated).sort());
    for (const [name, size] of Object.entries(note.associated)) {
      const image = await slide.readAssociatedImage(name as 'label' | 'macro' | 'thumbnail');
      expect([image.width, image.height], name).toEqual(size);
    }
    await slide.close();
  });

  it('every level equals OpenSlide’s pixels (libjpeg-turbo, as browsers decode): overlaps, stage positions, the unscanned photo', async () => {
    // Both decode each camera image whole with libjpeg-turbo and paint the same parts in the same order (painting
    // the overlaps the other way round gives mean |diff| 1.2 at level 0: the photos differ in brightness).
    const slide = await openSlideNode({ path: fixturePath(MRXS) }, libjpeg);
    for (let level = 0; level < note.levels.length; level++) {
      const diff = await levelDiff(slide, level);
      expect(diff.mean).toBe(0);
    }
    await slide.close();
  });

  it('an older layout (one PNG image per photo, raw VIMSLIDE_POSITION_BUFFER, an unscanned field inside the grid) equals OpenSlide', async () => {
    const old = noteOf(OLD_MRXS);
    const slide = await openSlideNode({ path: fixturePath(OLD_MRXS) });
    expect(slide.metadata.compression).toBe('PNG');
    expect(slide.metadata.levels.map((l) => [l.width, l.height, l.downsample])).toEqual(old.levels.map((l) => [l.width, l.height, l.downsample]));
    for (let level = 0; level < old.levels.length; level++) expect((await levelDiff(slide, level, old)).mean).toBe(0);
    await slide.close();
  });

  it("through Node's pure-JS JPEG decoder every level stays within mean |diff| 2 of OpenSlide", async () => {
    const slide = await openSlideNode({ path: fixturePath(MRXS) });
    for (let level = 0; level < note.levels.length; level++) expect((await levelDiff(slide, level)).mean).toBeLessThanOrEqual(2);
    await slide.close();
  });

  it('opens from the folder, or from the folder’s files with or without the .mrxs, the same slide', async () => {
    const fromFolder = await openSlideNode({ path: fixturePath(FOLDER) });
    expect(fromFolder.metadata.name).toBe('mirax-layout');
    const files = [bufferSource('mirax-layout.mrxs', new Uint8Array()), ...folderFiles()];
    const fromFiles = await openFileSet(files, options);
    expect(fromFiles.metadata.name).toBe('mirax-layout.mrxs');
    for (const slide of [fromFolder, fromFiles]) {
      expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual(note.levels.map((l) => [l.width, l.height]));
      await slide.close();
    }
  });

  it('the unscanned photo is the fill colour (white) at every level, and an overlap goes to the photo after it in the grid', async () => {
    const slide = await openSlideNode({ path: fixturePath(MRXS) }, libjpeg);
    // Photo (2, 1) would start at (464, 176) on the nominal grid; nothing else covers its lower right.
    const glass = await slide.readRegion({ x: 600, y: 300, width: 100, height: 60 }, null);
    expect(glass.data.every((v) => v === 255)).toBe(true);
    const level3 = await slide.readRegion({ x: 600, y: 300, width: 96, height: 64 }, slide.metadata.mppX! * 8);
    expect(level3.data.every((v) => v === 255)).toBe(true);
    await slide.close();
  });
});

describe('MRXS parts that cannot be read', () => {
  it('a lone .mrxs file says where its pixels are', async () => {
    const error = await failure(openSlideNode({ name: 'slide.mrxs', bytes: new Uint8Array() }));
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(/slide\.mrxs is a 3DHistech MRXS slide, whose pixels are in the folder "slide" next to it: open that folder/);
  });

  it('a missing data file is named', async () => {
    const error = await failure(openFileSet(folderFiles({ 'Data0001.dat': null }), options, 'mirax-layout'));
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toBe(
      "mirax-layout is a 3DHistech MRXS slide whose data file Data0001.dat (named in Slidedat.ini) is missing; open the slide's whole folder (Slidedat.ini, Index.dat and every Data file).",
    );
  });

  it('a pick holding two slides’ folders is refused with a sentence, not mixed', async () => {
    const two = [...folderFiles(), bufferSource('Slidedat.ini', new Uint8Array(readFileSync(join(fixturePath('mrxs/mirax-png-vimslide'), 'Slidedat.ini'))))];
    const error = await failure(openFileSet(two, options, 'mrxs'));
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toBe('mrxs holds 2 MRXS slides (Slidedat.ini files); open the folder of one slide.');
  });

  it('an image format MRXS readers do not know is named with its level and section', async () => {
    const ini = readFileSync(join(fixturePath(FOLDER), 'Slidedat.ini'), 'utf8').replace(
      /IMAGE_FORMAT=JPEG(\r\n[^[]*IMAGE_CONCAT_FACTOR=1\r\n\r\n\[LAYER_0_LEVEL_2)/,
      'IMAGE_FORMAT=JPEG2000$1',
    );
    const error = await failure(openFileSet(folderFiles({ 'Slidedat.ini': new TextEncoder().encode(ini) }), options, 'mirax-layout'));
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(
      /^mirax-layout is a 3DHistech MRXS slide whose zoom level 1 stores its images as "JPEG2000" \(IMAGE_FORMAT in \[LAYER_0_LEVEL_1_SECTION\]\)/,
    );
  });

  it('an Index.dat of another slide is refused naming MRXS and the index', async () => {
    const index = new Uint8Array(readFileSync(join(fixturePath(FOLDER), 'Index.dat')));
    index[10] = index[10]! ^ 1;
    const error = await failure(openFileSet(folderFiles({ 'Index.dat': index }), options, 'mirax-layout'));
    expect((error as Error).message).toMatch(
      /^mirax-layout is a 3DHistech MRXS slide whose Index\.dat does not start with version 01\.02 and the slide's SLIDE_ID/,
    );
  });

  it('mutated Slidedat.ini, Index.dat and data files open, or fail with a SlideError, never a hang or a huge allocation', async () => {
    const names = ['Slidedat.ini', 'Index.dat', 'Data0001.dat'];
    const files = names.map((name) => new Uint8Array(readFileSync(join(fixturePath(FOLDER), name))));
    await expectMutationsRefusedOrRead({
      files,
      name: 'fuzzed',
      aim: (length) => [0, Math.min(length, 1024)],
      words: [0x30303030, 0x7ffffff0],
      numRuns: 200,
      open: (bytes, which) => openFileSet(folderFiles({ [names[which]!]: bytes }), options, 'fuzzed'),
    });
  }, 120_000);
});
