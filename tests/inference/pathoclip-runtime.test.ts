/**
 * The app's PathoCLIP code, run in Node on the committed tiny model, against the PyTorch (open_clip) goldens that
 * models/export recorded (models/tiny/pathoclip/golden.json): the same token ids (long and non-ASCII texts
 * included, truncated the open_clip way) and the same embeddings, for every dtype the export wrote.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelDtype } from '../../src/inference/model-manifest';
import { parseModelManifest } from '../../src/inference/model-manifest';
import { PathoClipRuntime } from '../../src/inference/pathoclip-runtime';
import { normalize, openClipTokenIds } from '../../src/inference/pathoclip-tokens';
import type { RgbaImage } from '../../src/slide/slide-source';

const MODEL_ROOT = path.resolve(import.meta.dirname, '../../models/tiny');
const MODEL_DIR = path.join(MODEL_ROOT, 'pathoclip');

interface Golden {
  logit_scale: number;
  images: { file: string; width: number; height: number; image_embeds: number[] }[];
  texts: { text: string; input_ids: number[]; text_embeds: number[] }[];
}

const golden = JSON.parse(readFileSync(path.join(MODEL_DIR, 'golden.json'), 'utf8')) as Golden;
const manifest = parseModelManifest(JSON.parse(readFileSync(path.join(MODEL_DIR, 'manifest.json'), 'utf8')));

async function readRgba(file: string): Promise<RgbaImage> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = normalize(a);
  const y = normalize(b);
  return x.reduce((sum, value, index) => sum + value * y[index]!, 0);
}

/** The dtypes the export wrote for one tower (e.g. "vision_model"). */
function towerDtypes(tower: string): ModelDtype[] {
  return Object.entries(manifest.files)
    .filter(([file, entry]) => file.startsWith(`onnx/${tower}`) && file.endsWith('.onnx') && entry.dtype)
    .map(([, entry]) => entry.dtype!);
}

/**
 * How close an image embedding must be to PyTorch's. transformers.js resizes with sharp (Node) or the canvas
 * (browser), not PIL's bicubic, so an image the processor resizes differs a little in its pixels (measured
 * here: cosine 0.99985 on the tiny model); an image already at the model's size goes through unchanged.
 */
function imageFloor(dtype: ModelDtype, image: { width: number; height: number }): number {
  const resized = image.width !== 32 || image.height !== 32;
  if (dtype === 'fp32') return resized ? 0.999 : 0.9999;
  return dtype === 'fp16' ? 0.999 : 0.9;
}

describe('open_clip truncation', () => {
  it('keeps short prompts and pads with 0; a long prompt keeps 76 ids and ends with <end_of_text>', () => {
    expect(openClipTokenIds([49406, 1, 2, 49407])).toEqual([49406, 1, 2, 49407, ...new Array<number>(73).fill(0)]);
    const long = [49406, ...Array.from({ length: 100 }, (_, index) => index + 1), 49407];
    const ids = openClipTokenIds(long);
    expect(ids).toHaveLength(77);
    expect(ids.slice(0, 76)).toEqual(long.slice(0, 76));
    expect(ids[76]).toBe(49407);
  });
});

describe('PathoCLIP runtime on the tiny model (onnxruntime-node, fp32)', () => {
  let runtime: PathoClipRuntime;
  beforeAll(async () => {
    runtime = await PathoClipRuntime.load({ modelRoot: MODEL_ROOT, modelName: 'pathoclip', imageDtype: 'fp32', textDtype: 'fp32', device: 'cpu' });
  });
  afterAll(async () => runtime?.dispose());

  it('reads the model facts from config.json', () => {
    expect(runtime.info.logitScale).toBeCloseTo(golden.logit_scale, 4);
    expect(runtime.info.embedDim).toBe(golden.texts[0]!.text_embeds.length);
    expect(runtime.info.imageSize).toBe(32);
  });

  it('tokenizes every golden text exactly as open_clip (long, entities, curly quotes, µ and ±)', () => {
    for (const entry of golden.texts) expect(runtime.tokenIds(entry.text), entry.text).toEqual(entry.input_ids);
    expect(golden.texts.some((entry) => entry.input_ids[76] === 49407)).toBe(true); // one golden text is over 77 ids
  });

  it('embeds the golden texts as PyTorch does (cosine >= 0.9999), normalised', async () => {
    const embeds = await runtime.embedTexts(golden.texts.map((entry) => entry.text));
    embeds.forEach((embed, index) => {
      expect(cosine(embed, golden.texts[index]!.text_embeds)).toBeGreaterThanOrEqual(0.9999);
      expect(Math.hypot(...embed)).toBeCloseTo(1, 5);
    });
  });

  it('embeds the golden images as PyTorch does, in one batch (cosine >= 0.9999 where no resize is needed)', async () => {
    const images = await Promise.all(golden.images.map((entry) => readRgba(path.join(MODEL_DIR, entry.file))));
    const embeds = await runtime.embedImages(images);
    expect(golden.images.some((entry) => entry.width === 32 && entry.height === 32)).toBe(true);
    embeds.forEach((embed, index) =>
      expect(cosine(embed, golden.images[index]!.image_embeds)).toBeGreaterThanOrEqual(imageFloor('fp32', golden.images[index]!)),
    );
  });

  it('stops before running when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runtime.embedTexts(['necrosis'], controller.signal)).rejects.toMatchObject({ kind: 'cancelled' });
  });
});

describe('every dtype the export wrote loads and embeds close to PyTorch', () => {
  const images = golden.images.map((entry) => path.join(MODEL_DIR, entry.file));
  for (const dtype of towerDtypes('vision_model')) {
    it(`vision_model ${dtype}`, async () => {
      const runtime = await PathoClipRuntime.load({ modelRoot: MODEL_ROOT, modelName: 'pathoclip', imageDtype: dtype, textDtype: 'fp32', device: 'cpu' });
      try {
        const embeds = await runtime.embedImages(await Promise.all(images.map(readRgba)));
        embeds.forEach((embed, index) =>
          expect(cosine(embed, golden.images[index]!.image_embeds)).toBeGreaterThanOrEqual(imageFloor(dtype, golden.images[index]!)),
        );
      } finally {
        await runtime.dispose();
      }
    });
  }
  for (const dtype of towerDtypes('text_model')) {
    it(`text_model ${dtype}`, async () => {
      const runtime = await PathoClipRuntime.load({ modelRoot: MODEL_ROOT, modelName: 'pathoclip', imageDtype: 'fp32', textDtype: dtype, device: 'cpu' });
      try {
        const embeds = await runtime.embedTexts(golden.texts.map((entry) => entry.text));
        const floor = dtype === 'fp32' ? 0.9999 : dtype === 'fp16' ? 0.999 : 0.9;
        embeds.forEach((embed, index) => expect(cosine(embed, golden.texts[index]!.text_embeds)).toBeGreaterThanOrEqual(floor));
      } finally {
        await runtime.dispose();
      }
    });
  }
});
