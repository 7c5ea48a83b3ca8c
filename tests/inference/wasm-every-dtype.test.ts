/**
 * The browser's ONNX Runtime build (onnxruntime-web, WASM kernels, run here in Node) on every dtype of the tiny
 * models: each graph loads (MatMulNBits 4- and 8-bit, MatMulInteger, int8 embedding rows, fp16 casts), takes the
 * float32 / int64 inputs transformers.js feeds, and answers like PyTorch (Patho-R1 first-step logits from
 * golden.json) or like onnxruntime-node (vision towers on the same pixels).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModelManifest, type ModelDtype } from '../../src/inference/model-manifest';
import { cosine, lastPositionLogits } from './logits';

const QWEN_DIR = path.resolve('models/tiny/patho-r1');
const CLIP_DIR = path.resolve('models/tiny/pathoclip');
const SUFFIX: Record<ModelDtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4', q4f16: '_q4f16' };
const MIN_COSINE: Record<ModelDtype, number> = { fp32: 0.99999, fp16: 0.9999, q8: 0.999, q4: 0.999, q4f16: 0.999 };

const manifest = parseModelManifest(JSON.parse(readFileSync(path.join(QWEN_DIR, 'manifest.json'), 'utf8')));
const config = JSON.parse(readFileSync(path.join(QWEN_DIR, 'config.json'), 'utf8')) as {
  text_config: { num_hidden_layers: number; num_key_value_heads: number; head_dim: number };
};
const golden = JSON.parse(readFileSync(path.join(QWEN_DIR, 'golden.json'), 'utf8')) as {
  cases: { name: string; input_ids: number[]; first_step_logits_last_position: number[] }[];
};
const textCase = golden.cases.find((entry) => entry.name === 'no_image')!;

beforeAll(() => {
  ortWeb.env.wasm.numThreads = 1;
});

function webSession(file: string): Promise<ortWeb.InferenceSession> {
  return ortWeb.InferenceSession.create(readFileSync(file), { executionProviders: ['wasm'] });
}

/** Deterministic float32 values in [-1, 1). */
function pseudoRandom(length: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31) * 2 - 1;
  });
}

function asFloats(tensor: { type: string; data: unknown; dims: readonly number[] }): Float32Array {
  // One row per position of the last dimension; lastPositionLogits decodes float16 words.
  const width = tensor.dims.at(-1)!;
  const rows = (tensor.data as ArrayLike<number>).length / width;
  const out = new Float32Array(rows * width);
  for (let row = 0; row < rows; row++) {
    const slice = { type: tensor.type, dims: [width], data: (tensor.data as Float32Array).subarray(row * width, (row + 1) * width) };
    out.set(lastPositionLogits(slice), row * width);
  }
  return out;
}

describe.each(manifest.dtypes)('Patho-R1 %s on onnxruntime-web (WASM)', (dtype) => {
  const sfx = SUFFIX[dtype];

  it('a text-only prompt step gives PyTorch’s first-step logits', async () => {
    const embed = await webSession(path.join(QWEN_DIR, 'onnx', `embed_tokens${sfx}.onnx`));
    const decoder = await webSession(path.join(QWEN_DIR, 'onnx', `decoder_model_merged${sfx}.onnx`));
    const length = textCase.input_ids.length;
    const { inputs_embeds: embeds } = await embed.run({
      input_ids: new ortWeb.Tensor('int64', BigInt64Array.from(textCase.input_ids.map(BigInt)), [1, length]),
    });
    const { num_hidden_layers: layers, num_key_value_heads: heads, head_dim: headDim } = config.text_config;
    const feeds: Record<string, ortWeb.Tensor> = {
      inputs_embeds: embeds!,
      attention_mask: new ortWeb.Tensor('int64', new BigInt64Array(length).fill(1n), [1, length]),
      position_ids: new ortWeb.Tensor(
        'int64',
        BigInt64Array.from({ length: 3 * length }, (_, index) => BigInt(index % length)),
        [3, 1, length],
      ),
      num_logits_to_keep: new ortWeb.Tensor('int64', BigInt64Array.from([1n]), []),
    };
    for (let layer = 0; layer < layers; layer++) {
      for (const kind of ['key', 'value']) {
        // A zero-length past in the embeddings' float type, as transformers.js builds it.
        const empty = embeds!.type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
        feeds[`past_key_values.${layer}.${kind}`] = new ortWeb.Tensor(embeds!.type as 'float32', empty as Float32Array, [1, heads, 0, headDim]);
      }
    }
    const { logits } = await decoder.run(feeds);
    expect(logits!.dims).toEqual([1, 1, textCase.first_step_logits_last_position.length]);
    expect(cosine(lastPositionLogits(logits as never), textCase.first_step_logits_last_position)).toBeGreaterThanOrEqual(MIN_COSINE[dtype]);
  });

  it('the vision encoder takes float32 pixel_values and agrees with onnxruntime-node', async () => {
    const file = path.join(QWEN_DIR, 'onnx', `vision_encoder${sfx}.onnx`);
    const patches = 4 * 6;
    const pixels = pseudoRandom(patches * 1176, 7);
    const grid = BigInt64Array.from([1n, 4n, 6n]);
    const web = await (
      await webSession(file)
    ).run({
      pixel_values: new ortWeb.Tensor('float32', pixels, [patches, 1176]),
      image_grid_thw: new ortWeb.Tensor('int64', grid, [1, 3]),
    });
    const native = await (
      await ortNode.InferenceSession.create(file)
    ).run({
      pixel_values: new ortNode.Tensor('float32', pixels, [patches, 1176]),
      image_grid_thw: new ortNode.Tensor('int64', grid, [1, 3]),
    });
    expect(web.image_features!.dims).toEqual([patches / 4, 64]);
    expect(cosine(asFloats(web.image_features as never), asFloats(native.image_features as never))).toBeGreaterThanOrEqual(0.9999);
  });
});

const clipManifest = parseModelManifest(JSON.parse(readFileSync(path.join(CLIP_DIR, 'manifest.json'), 'utf8')));

describe.each(clipManifest.dtypes)('PathoCLIP %s on onnxruntime-web (WASM)', (dtype) => {
  it('both towers take float32 / int64 and agree with onnxruntime-node', async () => {
    const sfx = SUFFIX[dtype];
    const pixels = pseudoRandom(2 * 3 * 32 * 32, 3);
    const ids = new BigInt64Array(2 * 77);
    ids.set([49406n, 320n, 1125n, 49407n], 0);
    ids.set([49406n, 5038n, 49407n], 77);
    for (const [tower, name, tensorOf] of [
      ['vision_model', 'pixel_values', (ort: typeof ortWeb) => new ort.Tensor('float32', pixels, [2, 3, 32, 32])],
      ['text_model', 'input_ids', (ort: typeof ortWeb) => new ort.Tensor('int64', ids, [2, 77])],
    ] as const) {
      const file = path.join(CLIP_DIR, 'onnx', `${tower}${sfx}.onnx`);
      const web = await (await webSession(file)).run({ [name]: tensorOf(ortWeb) });
      const native = await (await ortNode.InferenceSession.create(file)).run({ [name]: tensorOf(ortWeb as never) as never });
      const [webOut] = Object.values(web);
      const [nativeOut] = Object.values(native);
      expect(webOut!.type).toBe('float32');
      expect(cosine(webOut!.data as Float32Array, nativeOut!.data as Float32Array)).toBeGreaterThanOrEqual(0.9999);
    }
  });
});
