/**
 * The worker's Patho-R1 code, run in Node on the committed tiny model, against the PyTorch goldens that
 * models/export recorded (models/tiny/patho-r1/golden.json): same prompt ids, same greedy tokens (fp32).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';
import type { ChatMessage } from '../../src/inference/patho-r1-prompt';
import { ThinkAnswerStream } from '../../src/inference/think-answer-stream';
import type { RgbaImage } from '../../src/slide/slide-source';

const MODEL_DIR = 'models/tiny/patho-r1';

interface GoldenCase {
  name: string;
  messages: ChatMessage[];
  images: { width: number; height: number; seed: number }[];
  prompt: string;
  input_ids: number[];
  greedy_new_ids: number[];
}
interface Golden {
  new_tokens: number;
  min_new_tokens: number;
  cases: GoldenCase[];
}

const golden = JSON.parse(readFileSync(path.join(MODEL_DIR, 'golden.json'), 'utf8')) as Golden;

/** Golden images as the exporter saved them (PNG), decoded to RGBA like SlideSource.readRegion returns. */
function goldenImagePath(caseName: string, index: number): string {
  return path.join(MODEL_DIR, 'golden', `${caseName}_${index}.png`);
}

async function readRgba(file: string): Promise<RgbaImage> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

const settings = { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: golden.new_tokens, minNewTokens: golden.min_new_tokens };

describe('Patho-R1 runtime on the tiny model (onnxruntime-node, fp32)', () => {
  let runtime: PathoR1Runtime;
  beforeAll(async () => {
    runtime = await PathoR1Runtime.load({ modelRoot: path.resolve('models/tiny'), modelName: 'patho-r1', dtype: 'fp32', device: 'cpu' });
  });
  afterAll(async () => {
    await runtime?.dispose();
  });

  for (const goldenCase of golden.cases) {
    it(`${goldenCase.name}: same prompt and the same ${golden.new_tokens} greedy tokens as PyTorch`, async () => {
      expect(runtime.promptText(goldenCase.messages)).toBe(goldenCase.prompt);
      const images = await Promise.all(goldenCase.images.map((_, index) => readRgba(goldenImagePath(goldenCase.name, index))));
      let streamed = '';
      let tokens = 0;
      const result = await runtime.generate({
        messages: goldenCase.messages,
        images,
        settings,
        onText: (piece) => (streamed += piece),
        onToken: () => tokens++,
      });
      expect(result.promptTokens).toBe(goldenCase.input_ids.length);
      expect(result.newTokenIds).toEqual(goldenCase.greedy_new_ids);
      expect(result.stopped).toBe(false);
      expect(tokens).toBe(golden.new_tokens);
      expect(streamed).toBe(result.text);
      expect(streamed.length).toBeGreaterThan(0);
    });
  }

  it('stops when the signal aborts, keeping what was generated', async () => {
    const goldenCase = golden.cases.find((entry) => entry.images.length === 0)!;
    const controller = new AbortController();
    let tokens = 0;
    const parser = new ThinkAnswerStream();
    const result = await runtime.generate({
      messages: goldenCase.messages,
      images: [],
      settings: { ...settings, maxNewTokens: 200, minNewTokens: 200 },
      onText: (piece) => parser.push(piece),
      onToken: () => {
        if (++tokens === 5) controller.abort();
      },
      signal: controller.signal,
    });
    expect(result.stopped).toBe(true);
    expect(result.newTokenIds.length).toBeLessThan(20);
    expect(result.newTokenIds).toEqual(goldenCase.greedy_new_ids.slice(0, result.newTokenIds.length));
  });

  it('refuses a prompt whose image slots and images disagree, with a sentence', async () => {
    const goldenCase = golden.cases.find((entry) => entry.images.length === 1)!;
    await expect(runtime.generate({ messages: goldenCase.messages, images: [], settings })).rejects.toThrow(
      'The prompt has 1 image slot(s) but 0 image(s) were given.',
    );
  });
});

type DecoderSession = { run(feeds: Record<string, { data: BigInt64Array; dims: number[] }>): Promise<unknown> };

/** Records the temporal-axis position_ids of every decoder call (the tiny model's near-uniform attention hides position errors). */
async function recordDecoderPositions(model: unknown, run: () => Promise<unknown>): Promise<number[][]> {
  const session = (model as { sessions: Record<string, DecoderSession> }).sessions.decoder_model_merged!;
  const original = session.run.bind(session);
  const seen: number[][] = [];
  session.run = (feeds) => {
    const ids = feeds.position_ids!;
    seen.push(Array.from(ids.data.subarray(0, ids.dims.at(-1)!), Number));
    return original(feeds);
  };
  try {
    await run();
  } finally {
    session.run = original;
  }
  return seen;
}

describe('follow-up questions reuse the KV cache', () => {
  it('answers a follow-up from the cached first turn exactly as a fresh encode of the same token ids', async () => {
    const { AutoProcessor, Qwen2_5_VLForConditionalGeneration, RawImage, Tensor } = await import('@huggingface/transformers');
    const runtime = await PathoR1Runtime.load({ modelRoot: path.resolve('models/tiny'), modelName: 'patho-r1', dtype: 'fp32', device: 'cpu' });
    const { buildPathoR1Messages } = await import('../../src/inference/patho-r1-prompt');
    const width = 150;
    const height = 110;
    const data = new Uint8ClampedArray(width * height * 4);
    for (let index = 0; index < width * height; index++) data.set(index % 41 < 5 ? [90, 50, 140, 255] : [230, 170 + (index % 23), 200, 255], index * 4);
    const image: RgbaImage = { width, height, data };
    const tokens = { ...settings, maxNewTokens: 16, minNewTokens: 16 };
    try {
      const first = buildPathoR1Messages([{ question: 'What is the most likely diagnosis?', withImage: true }]);
      const answer = await runtime.generate({ messages: first, images: [image], settings: tokens, conversation: { id: 'roi-1', turn: 0 } });
      expect(answer.reusedTokens).toBe(0);
      const followUp = buildPathoR1Messages([
        { question: 'What is the most likely diagnosis?', withImage: true, reply: answer.text },
        { question: 'Grade this tumour', withImage: false },
      ]);
      let reused!: Awaited<ReturnType<typeof runtime.generate>>;
      const reusedPositions = await recordDecoderPositions((runtime as unknown as { model: unknown }).model, async () => {
        reused = await runtime.generate({ messages: followUp, images: [image], settings: tokens, conversation: { id: 'roi-1', turn: 1 } });
      });
      expect(reused.reusedTokens).toBe(answer.promptTokens + answer.newTokenIds.length - 1);

      // Reference: plain transformers.js, no cache, image encoded again, on the very same ids.
      const processor = await AutoProcessor.from_pretrained('patho-r1');
      const model = await Qwen2_5_VLForConditionalGeneration.from_pretrained('patho-r1', { dtype: 'fp32', device: 'cpu' });
      const firstInputs = await processor(runtime.promptText(first), new RawImage(image.data, width, height, 4).rgb());
      const suffix = processor.tokenizer!('<|im_end|>\n<|im_start|>user\nGrade this tumour<|im_end|>\n<|im_start|>assistant\n', { add_special_tokens: false });
      const ids = [
        ...Array.from(firstInputs.input_ids.data as BigInt64Array),
        ...answer.newTokenIds.map(BigInt),
        ...Array.from(suffix.input_ids.data as BigInt64Array),
      ];
      expect(reused.promptTokens).toBe(ids.length);
      let output!: { data: BigInt64Array };
      const freshPositions = await recordDecoderPositions(model, async () => {
        output = (await model.generate({
          input_ids: new Tensor('int64', BigInt64Array.from(ids), [1, ids.length]),
          attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
          pixel_values: firstInputs.pixel_values,
          image_grid_thw: firstInputs.image_grid_thw,
          max_new_tokens: 16,
          min_new_tokens: 16,
          do_sample: false,
        })) as { data: BigInt64Array };
      });
      expect(reused.newTokenIds).toEqual(Array.from(output.data, Number).slice(ids.length));
      // Same M-RoPE positions: the fed tail continues the fresh prompt's positions, and so do the decode steps.
      expect(reusedPositions[0]).toEqual(freshPositions[0]!.slice(reused.reusedTokens));
      expect(reusedPositions.slice(1)).toEqual(freshPositions.slice(1));

      // Another conversation starts afresh.
      const other = await runtime.generate({ messages: followUp, images: [image], settings: tokens, conversation: { id: 'roi-2', turn: 1 } });
      expect(other.reusedTokens).toBe(0);
      await model.dispose();
    } finally {
      await runtime.dispose();
    }
  });
});

describe('M-RoPE positions the decoder receives', () => {
  it('a prompt without an image decodes at positions S, S+1, … (not 3S as transformers.js 4.3.1 alone would)', async () => {
    const runtime = await PathoR1Runtime.load({ modelRoot: path.resolve('models/tiny'), modelName: 'patho-r1', dtype: 'fp32', device: 'cpu' });
    try {
      const goldenCase = golden.cases.find((entry) => entry.images.length === 0)!;
      const length = goldenCase.input_ids.length;
      const positions = await recordDecoderPositions((runtime as unknown as { model: unknown }).model, () =>
        runtime.generate({ messages: goldenCase.messages, images: [], settings: { ...settings, maxNewTokens: 4, minNewTokens: 4 } }),
      );
      expect(positions[0]).toEqual(Array.from({ length }, (_, index) => index));
      expect(positions.slice(1)).toEqual([[length], [length + 1], [length + 2]]);
    } finally {
      await runtime.dispose();
    }
  });
});
