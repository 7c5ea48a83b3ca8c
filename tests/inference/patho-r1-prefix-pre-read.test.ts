/**
 * Reading the prompt prefix ahead (issue #18): after the vision tower, a pre-read also prefills the system turn and the
 * image tokens; an answer about the same pixels then feeds only its question on that KV cache. Checks that the prefix
 * is the same token ids whatever the question, that the first-token logits are those of a whole-prompt prefill (fp32:
 * float rounding only; q8: DynamicQuantizeMatMul quantises each fed matrix with its own scale, so a split prefill is
 * close, not identical) and that the greedy text is the same. Tiny Patho-R1 on onnxruntime-node.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS } from '../../src/inference/generation-settings';
import { buildPathoR1Messages, type PromptOptions } from '../../src/inference/patho-r1-prompt';
import { PathoR1Runtime } from '../../src/inference/patho-r1-runtime';
import { promptPrefixLength } from '../../src/inference/prompt-prefix';
import type { ModelDtype } from '../../src/inference/model-manifest';
import { maxAbsDiff, recordFirstStepLogits } from './logits';

const settings = { ...DEFAULT_GENERATION_SETTINGS, sample: false, maxNewTokens: 12, minNewTokens: 12 };

function region(seed: number, width = 112, height = 84) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let index = 0; index < width * height; index++) {
    data.set([(index * seed) % 256, (index >> 3) % 256, (seed * 37 + index) % 256, 255], index * 4);
  }
  return { width, height, data };
}

const ask = (question: string, options: PromptOptions = {}) => buildPathoR1Messages([{ question, withImage: true }], options);

function argmax(values: Float32Array): number {
  let best = 0;
  for (let index = 1; index < values.length; index++) if (values[index]! > values[best]!) best = index;
  return best;
}

const runtimes: PathoR1Runtime[] = [];
async function load(dtype: ModelDtype): Promise<PathoR1Runtime> {
  const runtime = await PathoR1Runtime.load({ modelRoot: 'models/tiny/', modelName: 'patho-r1', dtype, device: 'cpu', cpuThreads: 1 });
  runtimes.push(runtime);
  return runtime;
}
const modelOf = (runtime: PathoR1Runtime) => (runtime as unknown as { model: unknown }).model;

afterAll(async () => {
  for (const runtime of runtimes) await runtime.dispose();
});

describe('prompt prefix read ahead', () => {
  it('the prompt before the question is the same token ids whatever the question or the options', async () => {
    const runtime = await load('fp32');
    const image = region(3);
    const tokenizer = (runtime as unknown as { processor: { tokenizer: { convert_tokens_to_ids(tokens: string[]): number[] } } }).processor.tokenizer;
    const visionEnd = BigInt(tokenizer.convert_tokens_to_ids(['<|vision_end|>'])[0]!);
    for (const options of [{}, { chainOfDraft: true }]) {
      const placeholder = (await runtime.promptInputs(ask('?', options), [image])).inputIds.map(BigInt);
      const prefix = placeholder.slice(0, promptPrefixLength(placeholder, visionEnd));
      expect(prefix.length).toBeGreaterThan(20);
      for (const question of ['What is this?', 'Grade this tumour', ' leading space', '\nnew line', 'Which?\nA. one\nB. two', '<think>']) {
        const ids = (await runtime.promptInputs(ask(question, options), [image])).inputIds.map(BigInt);
        expect(ids.slice(0, prefix.length)).toEqual(prefix);
        expect(ids.length).toBeGreaterThan(prefix.length);
        expect(ids[prefix.length - 1]).toBe(visionEnd);
      }
    }
  }, 60_000);

  for (const [dtype, tolerance] of [
    ['fp32', 1e-4],
    ['q8', 0.05],
  ] as const) {
    it(`${dtype}: an answer on the prefilled prefix has the first-token logits and greedy tokens of a whole prefill`, async () => {
      const runtime = await load(dtype);
      const messages = ask('What is this?');
      let cold!: Awaited<ReturnType<PathoR1Runtime['generate']>>;
      const coldLogits = await recordFirstStepLogits(modelOf(runtime), async () => {
        cold = await runtime.generate({ messages, images: [region(3)], settings });
      });
      expect(cold.prefixPreReadTokens).toBe(0);

      expect((await runtime.preReadImages([region(3)])).kind).toBe('encoded');
      let warm!: typeof cold;
      const warmLogits = await recordFirstStepLogits(modelOf(runtime), async () => {
        warm = await runtime.generate({ messages, images: [region(3)], settings });
      });
      const diff = maxAbsDiff(coldLogits, warmLogits);
      console.info(
        `${dtype} first-token logits, split vs whole prefill: max |diff| ${diff.toExponential(2)} (largest |logit| ${maxAbsDiff(coldLogits, new Float32Array(coldLogits.length)).toFixed(2)}), argmax ${argmax(coldLogits)} / ${argmax(warmLogits)}`,
      );
      expect(warm.imagePreRead).toBe(true);
      expect(warm.prefixPreReadTokens).toBeGreaterThan(20);
      expect(warm.promptTokens).toBe(cold.promptTokens);
      expect(warm.phases.imageMs).toBe(0);
      expect(diff).toBeLessThan(tolerance);
      expect(argmax(warmLogits)).toBe(argmax(coldLogits));
      expect(warm.newTokenIds).toEqual(cold.newTokenIds);

      // The prefix cache is kept for another question about the same region (the answer worked on a copy).
      const otherCold = await runtime.generate({ messages: ask('Grade this tumour'), images: [region(3)], settings });
      await runtime.preReadImages([region(3)]);
      const other = await runtime.generate({ messages: ask('Grade this tumour'), images: [region(3)], settings });
      expect(other.prefixPreReadTokens).toBe(warm.prefixPreReadTokens);
      expect(other.newTokenIds).toEqual(otherCold.newTokenIds);
    }, 120_000);
  }

  it('a follow-up after an answer on the prefilled prefix continues the M-RoPE positions as after a cold answer', async () => {
    const runtime = await load('fp32');
    const turns = (reply?: string) =>
      buildPathoR1Messages(
        reply === undefined
          ? [{ question: 'What is this?', withImage: true }]
          : [
              { question: 'What is this?', withImage: true, reply },
              { question: 'And the grade?', withImage: false },
            ],
      );
    const cold1 = await runtime.generate({ messages: turns(), images: [region(9)], settings, conversation: { id: 'cold', turn: 0 } });
    const cold2 = await runtime.generate({ messages: turns(cold1.text), images: [region(9)], settings, conversation: { id: 'cold', turn: 1 } });

    await runtime.preReadImages([region(9)]);
    const warm1 = await runtime.generate({ messages: turns(), images: [region(9)], settings, conversation: { id: 'warm', turn: 0 } });
    expect(warm1.prefixPreReadTokens).toBeGreaterThan(0);
    const warm2 = await runtime.generate({ messages: turns(warm1.text), images: [region(9)], settings, conversation: { id: 'warm', turn: 1 } });
    expect(warm2.reusedTokens).toBe(cold2.reusedTokens);
    expect(warm1.newTokenIds).toEqual(cold1.newTokenIds);
    expect(warm2.newTokenIds).toEqual(cold2.newTokenIds);
  }, 120_000);

  it('a prefix made for another system prompt is not used: the answer feeds the whole prompt with the read image', async () => {
    const runtime = await load('fp32');
    const messages = ask('What is this?', { chainOfDraft: true });
    const cold = await runtime.generate({ messages, images: [region(5)], settings });
    await runtime.preReadImages([region(5)]); // prefix of the default system prompt
    const warm = await runtime.generate({ messages, images: [region(5)], settings });
    expect(warm.imagePreRead).toBe(true);
    expect(warm.prefixPreReadTokens).toBe(0);
    expect(warm.newTokenIds).toEqual(cold.newTokenIds);

    await runtime.preReadImages([region(6)], { chainOfDraft: true }); // read ahead with the answer's system prompt
    const drafted = await runtime.generate({ messages, images: [region(6)], settings });
    expect(drafted.prefixPreReadTokens).toBeGreaterThan(0);
  }, 120_000);

  it('only the newest pre-read keeps its prefix cache; an older one still has its image features', async () => {
    const runtime = await load('fp32');
    const messages = ask('What is this?');
    const cold = await runtime.generate({ messages, images: [region(11)], settings });
    await runtime.preReadImages([region(11)]);
    await runtime.preReadImages([region(12)]);
    const older = await runtime.generate({ messages, images: [region(11)], settings });
    expect(older.imagePreRead).toBe(true);
    expect(older.prefixPreReadTokens).toBe(0);
    expect(older.newTokenIds).toEqual(cold.newTokenIds);
    expect((await runtime.generate({ messages, images: [region(12)], settings })).prefixPreReadTokens).toBeGreaterThan(0);
  }, 120_000);
});
