/**
 * Reading the image before the question: an answer about a pre-read region reuses the vision tower's output and
 * gives exactly the tokens of an answer that reads the image itself (greedy). Tiny Patho-R1 on onnxruntime-node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { buildPathoR1Messages } from '../../src/inference/patho-r1-prompt';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';

let runtime: PathoR1Runtime;
const settings = { ...DEFAULT_GENERATION_SETTINGS, sample: false, maxNewTokens: 12, minNewTokens: 12 };
const messages = buildPathoR1Messages([{ question: 'What is this?', withImage: true }]);

/** A region with structure (a colour gradient), so a wrong or stale encoding would change the answer. */
function region(seed: number, width = 112, height = 84) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let index = 0; index < width * height; index++) {
    data.set([(index * seed) % 256, (index >> 3) % 256, (seed * 37 + index) % 256, 255], index * 4);
  }
  return { width, height, data };
}

beforeAll(async () => {
  runtime = await PathoR1Runtime.load({ modelRoot: 'models/tiny/', modelName: 'patho-r1', dtype: 'fp32', device: 'cpu', cpuThreads: 1 });
}, 60_000);

afterAll(async () => {
  await runtime?.dispose();
});

describe('image pre-read', () => {
  it('an answer after a pre-read skips the vision tower and gives the same tokens as a cold one', async () => {
    const cold = await runtime.generate({ messages, images: [region(3)], settings });
    expect(cold.imagePreRead).toBe(false);
    expect(cold.phases.imageMs).toBeGreaterThan(0);

    expect((await runtime.preReadImages([region(3)])).kind).toBe('encoded');
    expect((await runtime.preReadImages([region(3)])).kind).toBe('cached');
    const warm = await runtime.generate({ messages, images: [region(3)], settings });
    expect(warm.imagePreRead).toBe(true);
    expect(warm.phases.imageMs).toBe(0);
    expect(warm.newTokenIds).toEqual(cold.newTokenIds);
    expect(warm.text).toBe(cold.text);
  });

  it('a question asked mid-read waits for it and reuses it; another region is read afresh', async () => {
    const cold = await runtime.generate({ messages, images: [region(5)], settings });
    const preRead = runtime.preReadImages([region(5)]);
    const warm = await runtime.generate({ messages, images: [region(5)], settings });
    expect((await preRead).kind).toBe('encoded');
    expect(warm.imagePreRead).toBe(true);
    expect(warm.newTokenIds).toEqual(cold.newTokenIds);

    const other = await runtime.generate({ messages, images: [region(7)], settings });
    expect(other.imagePreRead).toBe(false);
    expect(other.phases.imageMs).toBeGreaterThan(0);
  });
});
