/**
 * DICOM WSI series written by wsidicomizer / wsidicom (tests/fixtures/dicom, made by make_dicom_fixtures.py),
 * opened as a folder, as files and as one file, and compared level by level with what OpenSlide 4 or wsidicom
 * decoded from the same files. Bad input (mutated, truncated, foreign files) fails with a SlideError sentence.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../src/slide/byte-source';
import { openFileSet } from '../../src/slide/open-slide-core';
import { nodeDecoders, openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError, type SlideSource } from '../../src/slide/slide-source';
import { fixturePath } from '../fixtures';
import { resolveTileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { compare, decodeWithLibjpeg } from './fixtures';
import { expectMutationsRefusedOrRead } from './fuzz';

interface SeriesNote {
  levels: { width: number; height: number; png: string }[];
  associated: Record<string, [number, number]>;
  mpp: [number, number];
  instances: { file: string; transferSyntax: string; organization: string }[];
}

const note = (series: string): SeriesNote => JSON.parse(readFileSync(fixturePath(`dicom/${series}.json`), 'utf8')) as SeriesNote;
const folder = (series: string) => fixturePath(`dicom/${series}`);
const filesOf = (series: string) =>
  readdirSync(folder(series))
    .sort()
    .map((name) => join(folder(series), name));

async function referencePng(name: string) {
  const { data, info } = await sharp(fixturePath(`dicom/${name}`))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

async function levelAgainstReference(slide: SlideSource, level: number, png: string) {
  const reference = await referencePng(png);
  const { downsample } = slide.metadata.levels[level]!;
  const region = await slide.readRegion({ x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height }, slide.metadata.mppX! * downsample);
  expect([region.width, region.height, region.level]).toEqual([reference.width, reference.height, level]);
  const diff = compare(region.data, reference.data);
  console.info(`${png} level ${level}: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
  return diff;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    async (slide) => {
      await (slide as SlideSource).close();
      return null;
    },
    (error: unknown) => error,
  );
}

const openBytesSet = (files: { name: string; bytes: Uint8Array }[]) =>
  openFileSet(
    files.map((file) => bufferSource(file.name, file.bytes)),
    { ...nodeDecoders, fetch: globalThis.fetch },
    'set',
  );

/** JPEG frames through libjpeg-turbo, as in the browser (its own decoder) and in OpenSlide. */
const libjpegDecoders = {
  decodeTile: async (request: Parameters<typeof resolveTileRequest>[0]) => decodeTile(await resolveTileRequest(request), { jpeg: decodeWithLibjpeg }),
};

describe.each([
  // JPEG frames decoded by libjpeg-turbo as OpenSlide does: the same pixels. (Node's default pure-JS decoder is
  // checked against its own bound below.)
  ['jpeg-full', 'OpenSlide', 0, 0],
  ['j2k-full', 'wsidicom', 0, 0],
  ['sparse-concat', 'wsidicom', 0, 0],
  // HTJ2K (High-Throughput JPEG 2000) frames through the same OpenJPEG decoder.
  ['htj2k-level', 'OpenJPH', 0, 0],
] as const)('%s against %s', (series, _reader, meanBound, maxBound) => {
  const expected = note(series);

  it('opens as a folder with the reference levels, scale and images; every level matches the reference', async () => {
    const slide = await openSlideNode({ path: folder(series) }, libjpegDecoders);
    try {
      expect(slide.metadata.format).toBe('dicom');
      expect(slide.metadata.levels.map((l) => [l.width, l.height])).toEqual(expected.levels.map((l) => [l.width, l.height]));
      expect([slide.metadata.mppX, slide.metadata.mppY]).toEqual(expected.mpp.map((v) => expect.closeTo(v, 9)));
      expect([...slide.metadata.associatedImages].sort()).toEqual(Object.keys(expected.associated).sort());
      for (const [name, [width, height]] of Object.entries(expected.associated)) {
        const image = await slide.readAssociatedImage(name as 'label' | 'macro' | 'thumbnail');
        expect([image.width, image.height]).toEqual([width, height]);
        // The reference reader's own label / macro / thumbnail (written for the series it reads).
        const reference = await referencePng(`${series}.${name}.openslide.png`);
        const diff = compare(image.data, reference.data);
        console.info(`${series} ${name}: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
        expect(diff.mean).toBeLessThanOrEqual(meanBound);
      }
      for (const [level, { png }] of expected.levels.entries()) {
        const diff = await levelAgainstReference(slide, level, png);
        expect(diff.mean).toBeLessThanOrEqual(meanBound);
        expect(diff.max).toBeLessThanOrEqual(maxBound);
      }
    } finally {
      await slide.close();
    }
  });

  it('opens from the list of its files, in any order, the same as from the folder', async () => {
    const files = filesOf(series).reverse();
    const slide = await openSlideNode({ paths: files });
    expect(slide.metadata.levels.length).toBe(expected.levels.length);
    expect(slide.metadata.name).toMatch(files.length > 1 ? /and \d+ more files/ : /\.dcm$/);
    await slide.close();
  });
});

describe('DICOM specifics', () => {
  it("JPEG frames through Node's pure-JS decoder (geotiff.js) stay within its stated bound of OpenSlide", async () => {
    // geotiff.js's decoder upsamples 4:2:2 chroma by repetition where libjpeg-turbo interpolates: colour edges
    // (nuclei) differ by up to ~40 levels on single pixels, ~1.2 on average. The browser uses libjpeg-turbo.
    const slide = await openSlideNode({ path: folder('jpeg-full') });
    const diff = await levelAgainstReference(slide, 0, 'jpeg-full.level0.openslide.png');
    expect(diff.mean).toBeLessThanOrEqual(1.5);
    expect(diff.max).toBeLessThanOrEqual(48);
    await slide.close();
  });

  it('metadata panel properties come from the DICOM header (no patient identifiers)', async () => {
    const slide = await openSlideNode({ path: folder('jpeg-full') });
    expect(slide.metadata.properties['dicom.DimensionOrganizationType']).toBe('TILED_FULL');
    expect(slide.metadata.properties['dicom.PixelSpacing']).toBe('0.00025\\0.00025');
    expect(slide.metadata.properties['dicom.SeriesInstanceUID']).toMatch(/^1\.2\.826\.0\.1\.3680043\.10\.1432\./);
    expect(Object.keys(slide.metadata.properties).join(' ')).not.toMatch(/Patient/);
    expect(slide.metadata.compression).toBe('JPEG baseline');
    await slide.close();
  });

  it('TILED_SPARSE tiles no frame covers are glass (white), the others come from the right concatenation part', async () => {
    const slide = await openSlideNode({ path: folder('sparse-concat') });
    const missing = await slide.readTile(0, 1, 0);
    expect(missing.data.every((v) => v === 255)).toBe(true);
    const written = await slide.readTile(0, 0, 0);
    expect(written.data.some((v) => v < 200)).toBe(true);
    await slide.close();
  });

  it('a concatenation with a part missing is refused naming the level and the part', async () => {
    const error = await failure(openSlideNode({ paths: [join(folder('sparse-concat'), 'volume-600x420-part2.dcm')] }));
    expect((error as Error).message).toMatch(/DICOM slide whose level of 600 x 420 pixels is split into 2 files \(a concatenation\), but part 1 is missing/);
  });

  it('one level file alone opens as a one-level slide', async () => {
    const slide = await openSlideNode({ path: join(folder('jpeg-full'), 'volume-300x210.dcm') });
    expect(slide.metadata.levels.map((l) => l.width)).toEqual([300]);
    await slide.close();
  });

  it('a label alone, a DICOMDIR-like file and files of two slides are refused with sentences', async () => {
    const label = await failure(openSlideNode({ path: join(folder('jpeg-full'), 'label-120x80.dcm') }));
    expect((label as Error).message).toMatch(/only the label, overview or thumbnail.*open the whole folder/);
    const mixed = await failure(
      openSlideNode({ paths: [join(folder('jpeg-full'), 'volume-600x420.dcm'), join(folder('sparse-concat'), 'volume-600x420-part1.dcm')] }),
    );
    // sparse-concat is a re-save of jpeg-full's series under new UIDs: two series.
    expect((mixed as Error).message).toMatch(/2 different DICOM slides \(series\)/);
    const none = await failure(
      openBytesSet([
        { name: 'notes.txt', bytes: new TextEncoder().encode('not dicom') },
        { name: 'b.txt', bytes: new Uint8Array(10) },
      ]),
    );
    expect((none as Error).message).toMatch(/holds no DICOM file/);
  });

  it('an unsupported transfer syntax is refused naming DICOM, the file and the codec', async () => {
    const bytes = new Uint8Array(readFileSync(join(folder('jpeg-full'), 'volume-150x105.dcm')));
    const text = Buffer.from(bytes).toString('latin1');
    const at = text.indexOf('1.2.840.10008.1.2.4.50');
    bytes.set(new TextEncoder().encode('1.2.840.10008.1.2.4.80'), at); // JPEG-LS lossless, same length
    const error = await failure(openBytesSet([{ name: 'volume-150x105.dcm', bytes }]));
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(/DICOM slide whose frames \(volume-150x105\.dcm\) use JPEG-LS lossless/);
  });

  it('a non-WSI DICOM file is refused with its SOP class', async () => {
    const bytes = new Uint8Array(readFileSync(join(folder('jpeg-full'), 'volume-150x105.dcm')));
    const text = Buffer.from(bytes).toString('latin1');
    // VL WSI SOP class 1.2.840.10008.5.1.4.1.1.77.1.6 -> ...77.1.4 (VL Photographic), same length, in the dataset.
    const at = text.indexOf('1.2.840.10008.5.1.4.1.1.77.1.6', text.indexOf('DICM') + 200);
    bytes.set(new TextEncoder().encode('1.2.840.10008.5.1.4.1.1.77.1.4'), at);
    const error = await failure(openSlideNode({ name: 'photo.dcm', bytes }));
    expect((error as Error).message).toMatch(/is DICOM but not a whole-slide image \(SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.77\.1\.4\)/);
  });

  it('truncated files fail with a sentence at open or at the first missing frame', async () => {
    for (const series of ['jpeg-full', 'j2k-full', 'sparse-concat']) {
      for (const file of filesOf(series).filter((f) => f.includes('volume'))) {
        const whole = new Uint8Array(readFileSync(file));
        for (const fraction of [0.05, 0.5, 0.97]) {
          const cut = whole.slice(0, Math.floor(whole.length * fraction));
          const result = await openSlideNode({ name: 'cut.dcm', bytes: cut }).then(
            async (slide) => {
              const level = slide.metadata.levels[0]!;
              const error = await failure(slide.readRegion({ x: 0, y: 0, width: level.width, height: level.height }, null));
              await slide.close();
              return error;
            },
            (error: unknown) => error,
          );
          expect(result, `${file} cut at ${fraction}`).toBeInstanceOf(SlideError);
        }
      }
    }
  });

  it('mutated files open, or fail with a SlideError; what opens reads its tiles or fails the same way', async () => {
    const files = ['jpeg-full/volume-300x210.dcm', 'j2k-full/volume-300x210.dcm', 'sparse-concat/volume-600x420-part2.dcm'].map(
      (name) => new Uint8Array(readFileSync(fixturePath(`dicom/${name}`))),
    );
    // Most damage that matters is in the header (the first few KB): aim there.
    await expectMutationsRefusedOrRead({ files, name: 'fuzzed.dcm', aim: (length) => [0, Math.min(length, 4096)], words: [0xfffe, 0xe000] });
  }, 120_000);
});
