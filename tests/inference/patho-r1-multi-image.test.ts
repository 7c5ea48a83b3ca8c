/**
 * "Ask the slide" sends several numbered regions in one prompt. The app's prompt builder and runtime, on the
 * committed tiny Patho-R1, against PyTorch (tests/fixtures/patho-r1-multi-image, written by
 * models/export/patholens_export/qwen/multi_image_golden.py): the same messages, prompt text, prompt ids and
 * greedy tokens for 2 and 4 regions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';
import { PATHO_R1_SYSTEM_PROMPT, buildPathoR1Messages, type ChatMessage } from '../../src/inference/patho-r1-prompt';
import type { RgbaImage } from '../../src/slide/slide-source';

const FIXTURE_DIR = 'tests/fixtures/patho-r1-multi-image';

interface GoldenCase {
  name: string;
  messages: ChatMessage[];
  images: { width: number; height: number; seed: number }[];
  prompt: string;
  input_ids: number[];
  image_grid_thw: number[][];
  greedy_new_ids: number[];
}

const golden = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'golden.json'), 'utf8')) as { new_tokens: number; min_new_tokens: number; cases: GoldenCase[] };

async function readRgba(file: string): Promise<RgbaImage> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

const QUESTION = 'Is there invasive carcinoma on this slide?';
const OPTIONS = ['Yes, invasive carcinoma', 'No, benign tissue only'];

describe('Patho-R1 with several numbered regions in one prompt (tiny model, fp32, against PyTorch)', () => {
  let runtime: PathoR1Runtime;
  beforeAll(async () => {
    runtime = await PathoR1Runtime.load({ modelRoot: path.resolve('models/tiny'), modelName: 'patho-r1', dtype: 'fp32', device: 'cpu' });
  });
  afterAll(async () => {
    await runtime?.dispose();
  });

  it('has both cases (2 and 4 regions)', () => {
    expect(golden.cases.map((entry) => entry.images.length)).toEqual([2, 4]);
  });

  for (const goldenCase of golden.cases) {
    const count = goldenCase.images.length;
    it(`${goldenCase.name}: the app's messages, prompt ids and ${golden.new_tokens} greedy tokens are PyTorch's`, async () => {
      const messages = buildPathoR1Messages([{ question: QUESTION, options: OPTIONS, withImage: true, regions: count }]);
      expect(messages).toEqual(goldenCase.messages);
      expect(messages[0]!.content).toEqual([{ type: 'text', text: PATHO_R1_SYSTEM_PROMPT }]);
      expect(runtime.promptText(messages)).toBe(goldenCase.prompt);
      for (let region = 1; region <= count; region++) expect(goldenCase.prompt).toContain(`Region ${region}: <|vision_start|>`);

      const images = await Promise.all(goldenCase.images.map((_, index) => readRgba(path.join(FIXTURE_DIR, `${goldenCase.name}_${index}.png`))));
      const inputs = await runtime.promptInputs(messages, images);
      expect(inputs.inputIds).toEqual(goldenCase.input_ids);
      expect(inputs.imageGridThw).toEqual(goldenCase.image_grid_thw);
      const result = await runtime.generate({
        messages,
        images,
        settings: { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: golden.new_tokens, minNewTokens: golden.min_new_tokens },
      });
      expect(result.promptTokens).toBe(goldenCase.input_ids.length);
      expect(result.newTokenIds).toEqual(goldenCase.greedy_new_ids);
    });
  }
});

describe('numbered regions in the prompt builder', () => {
  it('labels each image slot and refuses a turn with no region', () => {
    const [, user] = buildPathoR1Messages([{ question: 'Which region shows necrosis?', withImage: true, regions: 3 }]);
    expect(user!.content).toEqual([
      { type: 'text', text: 'Region 1: ' },
      { type: 'image' },
      { type: 'text', text: '\nRegion 2: ' },
      { type: 'image' },
      { type: 'text', text: '\nRegion 3: ' },
      { type: 'image' },
      { type: 'text', text: '\nWhich region shows necrosis?' },
    ]);
    expect(() => buildPathoR1Messages([{ question: 'Why?', withImage: true, regions: 0 }])).toThrow('A turn shows at least one region, not 0.');
  });
});
