/**
 * One Node runner of the reasoner benchmark, in its own process so its peak memory is its own:
 *   tsx bench/reasoner-node.ts pathoLens|plain MODEL_ROOT MODEL_NAME NEW_TOKENS
 * `pathoLens` goes through PathoLens's runtime (the worker's code); `plain` calls transformers.js directly,
 * as its documentation shows. Prints one JSON line with the median numbers of each case.
 */
import { AutoProcessor, Qwen2_5_VLForConditionalGeneration, RawImage, TextStreamer, env } from '@huggingface/transformers';
import { DEFAULT_GENERATION_SETTINGS } from '../src/inference/generation-settings';
import { PathoR1Runtime } from '../src/inference/patho-r1-runtime';
import { TokenClock } from '../src/inference/worker-protocol';
import type { ChatMessage } from '../src/reasoner/prompt';
import { REPEATS, benchRegion, medianStats, reasonerCases, type CaseStats } from './reasoner-cases';

const [mode, modelRoot, modelName, newTokensText] = process.argv.slice(2);
const newTokens = Number(newTokensText);
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

/** Answers each case REPEATS times (after one short warm-up answer) and keeps the medians. */
async function repeatCases(answer: (messages: ChatMessage[], tokens: number) => Promise<CaseStats>): Promise<CaseStats[]> {
  await answer(reasonerCases()[0]!.messages, 2);
  const results: CaseStats[] = [];
  for (const benchCase of reasonerCases()) {
    const samples: CaseStats[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) samples.push(await answer(benchCase.messages, newTokens));
    results.push(medianStats(samples));
  }
  return results;
}

async function viaPathoLens(): Promise<CaseStats[]> {
  const runtime = await PathoR1Runtime.load({ modelRoot: modelRoot!, modelName: modelName!, dtype: 'fp32', device: 'cpu' });
  return repeatCases(async (messages, tokens) => {
    const clock = new TokenClock();
    const settings = { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: tokens, minNewTokens: tokens };
    const result = await runtime.generate({ messages, images: [benchRegion()], settings, onToken: () => clock.tick() });
    return clock.stats(result.promptTokens);
  });
}

async function viaPlainTransformersJs(): Promise<CaseStats[]> {
  env.allowRemoteModels = false;
  env.localModelPath = modelRoot!.endsWith('/') ? modelRoot! : `${modelRoot}/`;
  const processor = await AutoProcessor.from_pretrained(modelName!);
  const model = await Qwen2_5_VLForConditionalGeneration.from_pretrained(modelName!, { dtype: 'fp32', device: 'cpu' });
  const region = benchRegion();
  return repeatCases(async (messages, tokens) => {
    const clock = new TokenClock();
    const image = new RawImage(region.data, region.width, region.height, 4).rgb();
    const text = processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
    const inputs = await processor(text, image);
    const streamer = new TextStreamer(processor.tokenizer!, { skip_prompt: true, callback_function: () => undefined, token_callback_function: () => clock.tick() });
    await model.generate({ ...inputs, max_new_tokens: tokens, min_new_tokens: tokens, do_sample: false, streamer });
    return clock.stats(Number(inputs.input_ids.dims.at(-1)));
  });
}

const stats = mode === 'pathoLens' ? await viaPathoLens() : await viaPlainTransformersJs();
clearInterval(sampler);
process.stdout.write(`${JSON.stringify({ stats, peakRssMiB: peakRss / 2 ** 20 })}\n`);
process.exit(0);
