/**
 * Patho-R1 in the real browser: the production build's inference worker loads the committed tiny model from
 * the app's own /models/ (ONNX Runtime WASM from /ort/) and reproduces PyTorch's greedy tokens, on WebGPU
 * (SwiftShader) in the webgpu project and on WASM in the wasm project.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';

interface GoldenCase {
  name: string;
  messages: unknown[];
  images: unknown[];
  greedy_new_ids: number[];
}
const golden = JSON.parse(readFileSync('models/tiny/patho-r1/golden.json', 'utf8')) as { new_tokens: number; min_new_tokens: number; cases: GoldenCase[] };
const textOnly = golden.cases.find((entry) => entry.images.length === 0)!;

test('tiny Patho-R1 in the worker gives the PyTorch greedy tokens and stays on this origin', async ({ page, watch }, testInfo) => {
  test.setTimeout(180_000);
  await page.goto('/');
  const device = testInfo.project.metadata.expectedBackend as 'webgpu' | 'wasm';
  const result = await page.evaluate(
    async ({ messages, device, newTokens }) => {
      type Client = {
        load(options: object, onProgress?: (progress: { file: string; loadedBytes: number; fromCache: boolean }) => void): Promise<void>;
        generate(request: object, callbacks?: object): Promise<{ newTokenIds: number[]; text: string; stopped: boolean; stats: { newTokens: number } }>;
      };
      const hook = (window as unknown as { __patholens: { PathoR1Client: new () => Client } }).__patholens;
      const client = new hook.PathoR1Client();
      const files = new Set<string>();
      const options = { modelRoot: '/models/tiny/', modelName: 'patho-r1', dtype: 'fp32', device, wasmThreads: 1 };
      await client.load(options, (progress) => files.add(progress.file));
      let streamed = '';
      const settings = { sample: false, temperature: 1, topP: 1, topK: 0, repetitionPenalty: 1, maxNewTokens: newTokens, minNewTokens: newTokens };
      const outcome = await client.generate({ messages, images: [], settings }, { onText: (text: string) => (streamed += text) });
      // A second load comes from the verified cache, without downloading again.
      const cachedFlags: boolean[] = [];
      await new hook.PathoR1Client().load(options, (progress) => cachedFlags.push(progress.fromCache));
      // A folder that is not an exported model fails with a sentence.
      const broken = await new hook.PathoR1Client().load({ ...options, modelName: 'no-such-model' }).then(
        () => 'loaded',
        (error: Error) => error.message,
      );
      return { ...outcome, streamed, files: [...files], cachedFlags, broken };
    },
    { messages: textOnly.messages, device, newTokens: golden.new_tokens },
  );
  expect(result.newTokenIds).toEqual(textOnly.greedy_new_ids);
  expect(result.stopped).toBe(false);
  expect(result.stats.newTokens).toBe(golden.new_tokens);
  expect(result.streamed).toBe(result.text);
  expect(result.files).toContain('onnx/decoder_model_merged.onnx');
  expect(result.files.some((file) => /safetensors|golden|_q4/.test(file))).toBe(false);
  expect(result.cachedFlags.length).toBeGreaterThan(0);
  expect(result.cachedFlags.every(Boolean)).toBe(true);
  expect(result.broken).toMatch(/no-such-model has no manifest\.json \(HTTP 404\)/);

  const origin = new URL(page.url()).origin;
  const foreign = watch.requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
  expect(foreign).toEqual([]);
  // WebGPU needs the asyncify build; on the processor the worker takes the CPU-only build (faster there, issue 18).
  const ortBuilds = new Set(watch.requests.filter((url) => url.includes('/ort/') && url.endsWith('.wasm')).map((url) => new URL(url).pathname));
  expect([...ortBuilds]).toEqual([device === 'webgpu' ? '/ort/ort-wasm-simd-threaded.asyncify.wasm' : '/ort/ort-wasm-simd-threaded.wasm']);
  expect(await watch.cspViolations()).toEqual([]);
});
