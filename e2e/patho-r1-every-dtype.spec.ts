/**
 * Every dtype the exporter writes is loaded by the browser's inference worker and asked an image question, a
 * follow-up about it (from the KV cache) and a text-only question: on WASM in the wasm project, and on WebGPU in
 * the webgpu project where the adapter offers shader-f16 (f16 dtypes say "skipped: no shader-f16" otherwise; the
 * WASM run still covers them). fp32 must give PyTorch's greedy tokens; the others must answer in full.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { expect, test } from './fixtures';

interface GoldenCase {
  name: string;
  messages: unknown[];
  images: unknown[];
  greedy_new_ids: number[];
}
const MODEL_DIR = 'models/tiny/patho-r1';
const golden = JSON.parse(readFileSync(`${MODEL_DIR}/golden.json`, 'utf8')) as { new_tokens: number; cases: GoldenCase[] };
const manifest = JSON.parse(readFileSync(`${MODEL_DIR}/manifest.json`, 'utf8')) as { dtypes: string[] };
const imageCase = golden.cases.find((entry) => entry.name === 'single_turn_image_unresized')!; // no resize: the browser's canvas resize is not PIL's
const textCase = golden.cases.find((entry) => entry.images.length === 0)!;

async function goldenImage(): Promise<{ width: number; height: number; data: number[] }> {
  const { data, info } = await sharp(`${MODEL_DIR}/golden/single_turn_image_unresized_0.png`).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: Array.from(data) };
}

for (const dtype of manifest.dtypes) {
  test(`tiny Patho-R1 ${dtype} answers an image question, a follow-up and a text question in the worker`, async ({ page, watch }, testInfo) => {
    test.setTimeout(240_000);
    await page.goto('/');
    const device = testInfo.project.metadata.expectedBackend as 'webgpu' | 'wasm';
    if (device === 'webgpu' && dtype.includes('16')) {
      const hasF16 = await page.evaluate(async () => {
        const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu;
        return (await gpu?.requestAdapter())?.features.has('shader-f16') ?? false;
      });
      test.skip(!hasF16, 'skipped: no shader-f16');
    }
    const image = await goldenImage();
    const result = await page.evaluate(
      async ({ dtype, device, imageMessages, textMessages, image, newTokens }) => {
        type Outcome = { newTokenIds: number[]; text: string; stopped: boolean; stats: { newTokens: number; reusedTokens: number } };
        type Client = { load(options: object): Promise<void>; generate(request: object, callbacks?: object): Promise<Outcome> };
        const hook = (window as unknown as { __patholens: { PathoR1Client: new () => Client } }).__patholens;
        const client = new hook.PathoR1Client();
        await client.load({ modelRoot: '/models/tiny/', modelName: 'patho-r1', dtype, device, wasmThreads: 1 });
        const settings = { sample: false, temperature: 1, topP: 1, topK: 0, repetitionPenalty: 1, maxNewTokens: newTokens, minNewTokens: newTokens };
        // A fresh copy per request: the client transfers the pixels to the worker.
        const pixels = () => ({ width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) });
        const first = await client.generate({ messages: imageMessages, images: [pixels()], settings, conversation: { id: 'c', turn: 0 } });
        const followUpMessages = [
          ...imageMessages,
          { role: 'assistant', content: [{ type: 'text', text: first.text }] },
          { role: 'user', content: [{ type: 'text', text: 'Which features support that?' }] },
        ];
        // As the Ask tab sends it: the whole conversation with its image (the runtime continues from its cache).
        const followUp = await client.generate({ messages: followUpMessages, images: [pixels()], settings, conversation: { id: 'c', turn: 1 } });
        const textOnly = await client.generate({ messages: textMessages, images: [], settings });
        return { first, followUp, textOnly };
      },
      { dtype, device, imageMessages: imageCase.messages, textMessages: textCase.messages, image, newTokens: golden.new_tokens },
    );
    for (const outcome of [result.first, result.followUp, result.textOnly]) {
      expect(outcome.stopped).toBe(false);
      expect(outcome.stats.newTokens).toBe(golden.new_tokens);
      expect(outcome.newTokenIds).toHaveLength(golden.new_tokens);
    }
    expect(result.followUp.stats.reusedTokens).toBeGreaterThan(0); // the follow-up continued from the image turn's cache
    if (dtype === 'fp32' && device === 'wasm') {
      expect(result.first.newTokenIds).toEqual(imageCase.greedy_new_ids);
      expect(result.textOnly.newTokenIds).toEqual(textCase.greedy_new_ids);
    }
    expect(watch.pageErrors).toEqual([]);
  });
}
