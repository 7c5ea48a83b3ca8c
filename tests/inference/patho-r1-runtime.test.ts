/**
 * The worker's Patho-R1 code, run in Node on the committed tiny model, against the PyTorch goldens that
 * models/export recorded (models/tiny/patho-r1/golden.json): same prompt ids, same greedy tokens (fp32).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';
import type { ChatMessage } from '../../src/reasoner/prompt';
import { ThinkAnswerStream } from '../../src/reasoner/think-answer-stream';
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

  for (const goldenCase of golden.cases.filter((entry) => entry.images.length <= 1)) {
    const imagesPresent = goldenCase.images.every((_, index) => existsSync(goldenImagePath(goldenCase.name, index)));
    it.skipIf(!imagesPresent)(`${goldenCase.name}: same prompt and the same ${golden.new_tokens} greedy tokens as PyTorch`, async () => {
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
