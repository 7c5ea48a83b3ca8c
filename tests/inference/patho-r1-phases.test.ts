/**
 * Each answer says where its time went (the runtime times its own session runs: vision tower, embeddings, the
 * decoder's prefill and each decode step), and the short speed measurement the worker takes after loading on a
 * processor reads a 64-patch image and leaves no conversation behind. Tiny Patho-R1 on onnxruntime-node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { buildPathoR1Messages } from '../../src/inference/patho-r1-prompt';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';

let runtime: PathoR1Runtime;
const settings = { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: 4, minNewTokens: 4 };
const region = () => ({ width: 56, height: 56, data: new Uint8ClampedArray(56 * 56 * 4).fill(180) });

beforeAll(async () => {
  runtime = await PathoR1Runtime.load({ modelRoot: 'models/tiny/', modelName: 'patho-r1', dtype: 'fp32', device: 'cpu', cpuThreads: 1 });
}, 60_000);

afterAll(async () => {
  await runtime?.dispose();
});

describe('generation phases', () => {
  it('times the vision tower, the prefill and one decoder run per further token; a follow-up reads no image', async () => {
    const messages = buildPathoR1Messages([{ question: 'What is this?', withImage: true }]);
    const first = await runtime.generate({ messages, images: [region()], settings, conversation: { id: 'p', turn: 0 } });
    expect(first.newTokenIds).toHaveLength(4);
    expect(first.phases.imageMs).toBeGreaterThan(0);
    expect(first.phases.prefillMs).toBeGreaterThan(0);
    expect(first.phases.decodeRuns).toBe(3);
    expect(first.phases.decodeMs).toBeGreaterThan(0);

    const followUp = await runtime.generate({
      messages: buildPathoR1Messages([
        { question: 'What is this?', withImage: true, reply: first.text },
        { question: 'Why?', withImage: false },
      ]),
      images: [region()],
      settings,
      conversation: { id: 'p', turn: 1 },
    });
    expect(followUp.reusedTokens).toBeGreaterThan(0);
    expect(followUp.phases.imageMs).toBe(0);
    expect(followUp.phases.decodeRuns).toBe(3);
  });

  it('measures this computer on a 64-patch image for the first-token estimate', async () => {
    const speed = await runtime.measureSpeed();
    expect(speed.imagePatches).toBe(64);
    expect(speed.imageMs).toBeGreaterThan(0);
    expect(speed.prefillMs).toBeGreaterThan(0);
    // 16 image tokens (64 patches merged 2 x 2) plus the chat markup and the words.
    expect(speed.promptTokens).toBeGreaterThan(16);
  });
});
