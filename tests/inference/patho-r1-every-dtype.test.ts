/**
 * Every dtype the exporter writes, loaded from the committed tiny Patho-R1 and asked an image question, a text-only
 * question and a follow-up: through the app's runtime (src/inference/patho-r1-runtime.ts) and through plain
 * transformers.js, both on onnxruntime-node. The first-step logits are compared with PyTorch's (golden.json):
 * a dtype whose graphs do not accept what transformers.js feeds (e.g. float16 pixel_values) fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { parseModelManifest, type ModelDtype } from '../../src/inference/model-manifest';
import { buildPathoR1Messages } from '../../src/inference/patho-r1-prompt';
import type { ChatMessage } from '../../src/inference/patho-r1-prompt';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';
import type { RgbaImage } from '../../src/slide/slide-source';
import { cosine, maxAbsDiff, recordFirstStepLogits } from './logits';

const MODEL_ROOT = path.resolve('models/tiny');
const MODEL_DIR = path.join(MODEL_ROOT, 'patho-r1');
/** What models/export writes (patholens_export/dtypes.py), in the manifest's sorted order. */
const EXPORTER_DTYPES: ModelDtype[] = ['fp16', 'fp32', 'q4', 'q4f16', 'q8'];
/** First-step logits cosine with PyTorch's; the export's own quality report measures 0.9999 for the tiny model. */
const MIN_COSINE: Record<ModelDtype, number> = { fp32: 0.99999, fp16: 0.9999, q8: 0.999, q4: 0.999, q4f16: 0.999 };

interface GoldenCase {
  name: string;
  messages: ChatMessage[];
  input_ids: number[];
  greedy_new_ids: number[];
  first_step_logits_last_position: number[];
}
const golden = JSON.parse(readFileSync(path.join(MODEL_DIR, 'golden.json'), 'utf8')) as { cases: GoldenCase[] };
const manifest = parseModelManifest(JSON.parse(readFileSync(path.join(MODEL_DIR, 'manifest.json'), 'utf8')));
// An image the processor keeps at its size: Node's resize is not PIL's bicubic, so only this one matches exactly.
const imageCase = golden.cases.find((entry) => entry.name === 'single_turn_image_unresized')!;
const textCase = golden.cases.find((entry) => entry.name === 'no_image')!;

async function readRgba(file: string): Promise<RgbaImage> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

function expectCloseToPyTorch(dtype: ModelDtype, logits: Float32Array, goldenCase: GoldenCase): void {
  const reference = goldenCase.first_step_logits_last_position;
  expect(cosine(logits, reference)).toBeGreaterThanOrEqual(MIN_COSINE[dtype]);
  if (dtype === 'fp32') expect(maxAbsDiff(logits, reference)).toBeLessThan(1e-3);
}

const settings = (tokens: number) => ({ ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: tokens, minNewTokens: tokens });

it('the tiny model carries every dtype the exporter writes, each with a quality report', () => {
  expect(manifest.dtypes).toEqual(EXPORTER_DTYPES);
  for (const dtype of EXPORTER_DTYPES) expect(manifest.quality?.dtypes[dtype]?.belowQuality).toBe(false);
});

/** The follow-up's first-step logits of each dtype, to compare with fp32's (filled by the fp32 run, which goes first). */
const followUpLogits = new Map<ModelDtype, Float32Array>();

describe.each(['fp32', ...EXPORTER_DTYPES.filter((dtype) => dtype !== 'fp32')] as ModelDtype[])('%s', (dtype) => {
  let runtime: PathoR1Runtime;
  let image: RgbaImage;
  beforeAll(async () => {
    runtime = await PathoR1Runtime.load({ modelRoot: MODEL_ROOT, modelName: 'patho-r1', dtype, device: 'cpu' });
    image = await readRgba(path.join(MODEL_DIR, 'golden', `${imageCase.name}_0.png`));
  });
  afterAll(async () => {
    await runtime?.dispose();
  });
  const model = () => (runtime as unknown as { model: unknown }).model;

  it('app runtime: an image question', async () => {
    let result!: Awaited<ReturnType<PathoR1Runtime['generate']>>;
    const logits = await recordFirstStepLogits(model(), async () => {
      result = await runtime.generate({ messages: imageCase.messages, images: [image], settings: settings(8) });
    });
    expect(result.promptTokens).toBe(imageCase.input_ids.length);
    expectCloseToPyTorch(dtype, logits, imageCase);
    expect(result.newTokenIds[0]).toBe(imageCase.greedy_new_ids[0]);
    if (dtype === 'fp32' || dtype === 'fp16') expect(result.newTokenIds).toEqual(imageCase.greedy_new_ids.slice(0, 8));
  });

  it('app runtime: a text-only question', async () => {
    let result!: Awaited<ReturnType<PathoR1Runtime['generate']>>;
    const logits = await recordFirstStepLogits(model(), async () => {
      result = await runtime.generate({ messages: textCase.messages, images: [], settings: settings(8) });
    });
    expect(result.promptTokens).toBe(textCase.input_ids.length);
    expectCloseToPyTorch(dtype, logits, textCase);
    expect(result.newTokenIds[0]).toBe(textCase.greedy_new_ids[0]);
  });

  it('app runtime: a follow-up reuses the cached image turn and stays close to fp32', async () => {
    const question = 'What is the most likely diagnosis?';
    const first = buildPathoR1Messages([{ question, withImage: true }]);
    // One token in the first turn, so that every dtype continues the very same sequence.
    const answer = await runtime.generate({ messages: first, images: [image], settings: settings(1), conversation: { id: dtype, turn: 0 } });
    const followUp = buildPathoR1Messages([
      { question, withImage: true, reply: answer.text },
      { question: 'Which grade?', withImage: false },
    ]);
    let result!: Awaited<ReturnType<PathoR1Runtime['generate']>>;
    const logits = await recordFirstStepLogits(model(), async () => {
      result = await runtime.generate({ messages: followUp, images: [image], settings: settings(4), conversation: { id: dtype, turn: 1 } });
    });
    expect(result.reusedTokens).toBe(answer.promptTokens);
    expect(result.newTokenIds).toHaveLength(4);
    followUpLogits.set(dtype, logits);
    const reference = followUpLogits.get('fp32')!;
    expect(cosine(logits, reference)).toBeGreaterThanOrEqual(MIN_COSINE[dtype]);
  });

  it('plain transformers.js: an image question', async () => {
    const { AutoProcessor, Qwen2_5_VLForConditionalGeneration, RawImage } = await import('@huggingface/transformers');
    const processor = await AutoProcessor.from_pretrained('patho-r1');
    const plain = await Qwen2_5_VLForConditionalGeneration.from_pretrained('patho-r1', { dtype, device: 'cpu' });
    try {
      const text = processor.apply_chat_template(imageCase.messages as never, { add_generation_prompt: true }) as string;
      const inputs = await processor(text, new RawImage(image.data, image.width, image.height, 4).rgb());
      let output!: { data: BigInt64Array };
      const logits = await recordFirstStepLogits(plain, async () => {
        output = (await plain.generate({ ...inputs, max_new_tokens: 4, min_new_tokens: 4, do_sample: false })) as { data: BigInt64Array };
      });
      expect(Array.from(inputs.input_ids.data as BigInt64Array, Number)).toEqual(imageCase.input_ids);
      expectCloseToPyTorch(dtype, logits, imageCase);
      expect(Number(output.data[imageCase.input_ids.length])).toBe(imageCase.greedy_new_ids[0]);
    } finally {
      await plain.dispose();
    }
  });
});
