/**
 * Zero-shot scoring against PyTorch's own logits (golden.json of the tiny PathoCLIP), region tiling, and the
 * Classify store end to end on the real tiny model through the app's runtime (a region read from an in-memory
 * slide, tiled, embedded, mean-pooled and scored), checked against a brute-force computation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifyStore } from '../../../src/features/classify/classify-store';
import { classPrompts, type LabelSet } from '../../../src/features/classify/label-sets';
import { cropRgba, regionTiles } from '../../../src/features/classify/region-tiles';
import { meanEmbedding, softmax, zeroShotClassify } from '../../../src/features/classify/zero-shot';
import { PathoClipRuntime } from '../../../src/inference/pathoclip-runtime';
import { normalize } from '../../../src/inference/pathoclip-tokens';
import type { RgbaImage, SlideMetadata, SlideSource } from '../../../src/slide/slide-source';
import { indexedDbAppRecords, memoryAppRecords } from '../../../src/storage/app-records';

const MODEL_ROOT = path.resolve(import.meta.dirname, '../../../models/tiny');
const golden = JSON.parse(readFileSync(path.join(MODEL_ROOT, 'pathoclip', 'golden.json'), 'utf8')) as {
  logit_scale: number;
  images: { image_embeds: number[] }[];
  texts: { text_embeds: number[] }[];
  logits_per_image: number[][];
};

/** A pattern whose tiles differ from each other, so tiling and pooling matter. */
function patternImage(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 4;
      data.set([(x * 7 + y * 3) % 256, (x * y) % 256, (255 - x * 2) & 255, 255], offset);
    }
  }
  return { width, height, data };
}

function fakeSlide(image: RgbaImage, mpp: number): SlideSource {
  const metadata: SlideMetadata = {
    name: 'fake.svs',
    format: 'aperio-svs',
    vendor: 'Aperio',
    width: image.width,
    height: image.height,
    levels: [{ width: image.width, height: image.height, downsample: 1, tileWidth: 256, tileHeight: 256 }],
    mppX: mpp,
    mppY: mpp,
    objectivePower: 20,
    compression: 'JPEG',
    associatedImages: [],
    properties: {},
  };
  return {
    metadata,
    readTile: () => Promise.reject(new Error('not used')),
    readAssociatedImage: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
    async readRegion(rect, targetMpp) {
      expect(targetMpp).toBe(mpp); // the region is read at its native 20x, not shrunk
      return { ...cropRgba(image, rect.x, rect.y, rect.width, rect.height), mpp, level: 0, downsample: 1 };
    },
  };
}

describe('zero-shot scoring', () => {
  it("reproduces PyTorch's logits and probabilities for the golden images and texts", () => {
    const texts = golden.texts.map((entry) => normalize(entry.text_embeds));
    golden.images.forEach((image, row) => {
      const scores = zeroShotClassify(normalize(image.image_embeds), texts, golden.logit_scale);
      scores.forEach((score, column) => expect(golden.logit_scale * score.cosine).toBeCloseTo(golden.logits_per_image[row]![column]!, 3));
      const expected = softmax(golden.logits_per_image[row]!);
      scores.forEach((score, column) => expect(score.probability).toBeCloseTo(expected[column]!, 5));
      expect(scores.reduce((sum, score) => sum + score.probability, 0)).toBeCloseTo(1, 6);
    });
  });

  it('averages unit vectors into a unit vector', () => {
    const mean = meanEmbedding([normalize([1, 0, 0]), normalize([0, 1, 0])]);
    expect(Array.from(mean)).toEqual([Math.SQRT1_2, Math.SQRT1_2, 0].map((value) => expect.closeTo(value, 6)));
  });
});

describe('region tiles', () => {
  it('covers a region with whole model-sized tiles, shifting the last row and column inward', () => {
    const image = patternImage(80, 40);
    const tiles = regionTiles(image, 32);
    expect(tiles).toHaveLength(3 * 2);
    expect(tiles.every((tile) => tile.width === 32 && tile.height === 32)).toBe(true);
    expect(tiles[2]).toEqual(cropRgba(image, 48, 0, 32, 32));
    expect(tiles[5]).toEqual(cropRgba(image, 48, 8, 32, 32));
  });

  it('keeps a region smaller than one tile whole', () => {
    const image = patternImage(20, 50);
    expect(regionTiles(image, 32)).toEqual([image]);
  });
});

describe('Classify store on the tiny PathoCLIP', () => {
  let runtime: PathoClipRuntime;
  beforeAll(async () => {
    runtime = await PathoClipRuntime.load({ modelRoot: MODEL_ROOT, modelName: 'pathoclip', imageDtype: 'fp32', textDtype: 'fp32', device: 'cpu' });
  });
  afterAll(async () => runtime?.dispose());

  const labelSet: LabelSet = {
    id: 'user:test',
    name: 'Test',
    classnames: [['tumour', 'carcinoma'], ['stroma'], ['necrosis']],
    templates: ['an H&E image of CLASSNAME.', 'CLASSNAME'],
  };

  it('reads the region at 20x, tiles, pools and scores it exactly as a brute-force computation does', async () => {
    const image = patternImage(96, 64);
    const store = createClassifyStore(memoryAppRecords(), () => undefined);
    await store.getState().saveLabelSet(labelSet);
    const result = await store
      .getState()
      .classify({ slide: fakeSlide(image, 0.5), roiId: 'roi-1', bounds: { x: 0, y: 0, width: 96, height: 64 } }, async () => runtime);
    expect(result.status).toBe('done');
    expect(result.note).toBe('6 tiles of 32 px at 20.0x');
    expect(result.classNames).toEqual(['tumour', 'stroma', 'necrosis']);

    const classEmbeddings = await Promise.all(classPrompts(labelSet).map(async (prompts) => meanEmbedding(await runtime.embedTexts(prompts))));
    const tileEmbeddings = await runtime.embedImages(regionTiles(image, 32));
    const expected = zeroShotClassify(meanEmbedding(tileEmbeddings), classEmbeddings, runtime.info.logitScale);
    result.scores.forEach((score, index) => {
      expect(score.cosine).toBeCloseTo(expected[index]!.cosine, 5);
      expect(score.probability).toBeCloseTo(expected[index]!.probability, 5);
    });
  });

  it('computes class text embeddings once per label set and model', async () => {
    let textCalls = 0;
    const counting = {
      info: runtime.info,
      embedImages: runtime.embedImages.bind(runtime),
      embedTexts: (texts: string[]) => (textCalls++, runtime.embedTexts(texts)),
    };
    const store = createClassifyStore(memoryAppRecords(), () => undefined);
    await store.getState().saveLabelSet(labelSet);
    const source = { slide: fakeSlide(patternImage(40, 40), 0.5), roiId: null, bounds: { x: 0, y: 0, width: 40, height: 40 } };
    await store.getState().classify(source, async () => counting);
    await store.getState().classify(source, async () => counting);
    expect(textCalls).toBe(1);
  });

  it('says why when the region cannot be classified, and keeps the label sets', async () => {
    const store = createClassifyStore(memoryAppRecords(), () => undefined);
    const result = await store
      .getState()
      .classify({ slide: fakeSlide(patternImage(40, 40), 0.5), roiId: null, bounds: { x: 0, y: 0, width: 0, height: 10 } }, async () => runtime);
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/The region is empty/);
    const failing = await store
      .getState()
      .classify({ slide: fakeSlide(patternImage(40, 40), 0.5), roiId: null, bounds: { x: 0, y: 0, width: 40, height: 40 } }, () =>
        Promise.reject(new Error('No PathoCLIP model folder was found')),
      );
    expect(failing.error).toBe('The region could not be classified: No PathoCLIP model folder was found.');
    expect(store.getState().labelSets.length).toBeGreaterThanOrEqual(3);
  });
});

describe('saved label sets', () => {
  it('survive a reload (IndexedDB); presets cannot be overwritten; damaged records are dropped', async () => {
    const records = indexedDbAppRecords(`classify-test-${Math.random()}`);
    const first = createClassifyStore(records, () => undefined);
    await first.getState().saveLabelSet({ id: 'user:a', name: 'Mine', classnames: [['a'], ['b']], templates: ['CLASSNAME'] });
    await expect(first.getState().saveLabelSet({ id: 'preset:lung', name: 'x', classnames: [['a'], ['b']], templates: ['CLASSNAME'] })).rejects.toThrow(
      'A preset cannot be changed',
    );
    await records.put('classify.labelSets', [...((await records.get('classify.labelSets')) as unknown[]), { id: 'user:bad', name: 'bad', classnames: 'nope' }]);
    const second = createClassifyStore(records, () => undefined);
    await second.getState().loadSaved();
    expect(second.getState().labelSets.filter((labelSet) => !labelSet.builtIn)).toEqual([
      { id: 'user:a', name: 'Mine', classnames: [['a'], ['b']], templates: ['CLASSNAME'] },
    ]);
  });
});
