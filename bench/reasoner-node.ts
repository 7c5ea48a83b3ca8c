/**
 * One Node runner of the reasoner benchmark, in its own process so its peak memory is its own:
 *   tsx bench/reasoner-node.ts pathoLens|plain MODEL_ROOT MODEL_NAME NEW_TOKENS DTYPE [REPEATS]
 * `pathoLens` goes through PathoLens's runtime (the worker's code: follow-ups continue from the KV cache);
 * `plain` calls transformers.js directly, as its documentation shows (a follow-up re-encodes the whole
 * conversation). Prints one JSON line with the median numbers of the first answer and of the follow-up.
 */
import { AutoProcessor, Qwen2_5_VLForConditionalGeneration, RawImage, TextStreamer, env } from '@huggingface/transformers';
import { DEFAULT_GENERATION_SETTINGS } from '../src/inference/generation-settings';
import { PathoR1Runtime } from '../src/inference/patho-r1-runtime';
import { TokenClock } from '../src/inference/worker-protocol';
import type { ModelDtype } from '../src/inference/model-manifest';
import type { ChatMessage } from '../src/inference/patho-r1-prompt';
import { REPEATS, benchRegion, firstQuestionMessages, followUpMessages, medianConversation, type CaseStats, type ConversationStats } from './reasoner-cases';

const [mode, modelRoot, modelName, newTokensText, dtypeText, repeatsText, threadsText] = process.argv.slice(2);
/** onnxruntime-node intra-op threads (its default, the physical cores, when not given). */
const threads = threadsText ? Number(threadsText) : undefined;
const repeats = Number(repeatsText ?? REPEATS);
const dtype = (dtypeText ?? 'fp32') as ModelDtype;
const newTokens = Number(newTokensText);
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

type Answer = (messages: ChatMessage[], tokens: number, conversation: { id: string; turn: number }) => Promise<{ stats: CaseStats; text: string }>;

/** A short warm-up answer, then `repeats` conversations of a first question and a follow-up. */
async function conversations(answer: Answer): Promise<ConversationStats[]> {
  await answer(firstQuestionMessages(), 2, { id: 'warm-up', turn: 0 });
  const samples: ConversationStats[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    const id = `bench-${repeat}`;
    const first = await answer(firstQuestionMessages(), newTokens, { id, turn: 0 });
    const followUp = await answer(followUpMessages(first.text), newTokens, { id, turn: 1 });
    samples.push({ first: first.stats, followUp: followUp.stats });
  }
  return samples;
}

async function viaPathoLens(): Promise<ConversationStats[]> {
  const runtime = await PathoR1Runtime.load({
    modelRoot: modelRoot!,
    modelName: modelName!,
    dtype,
    device: 'cpu',
    ...(threads ? { cpuThreads: threads } : {}),
  });
  return conversations(async (messages, tokens, conversation) => {
    const clock = new TokenClock();
    const settings = { ...DEFAULT_GENERATION_SETTINGS, maxNewTokens: tokens, minNewTokens: tokens };
    const result = await runtime.generate({ messages, images: [benchRegion()], settings, conversation, onToken: () => clock.tick() });
    return { stats: { ...clock.stats(result.promptTokens, result.reusedTokens), phases: result.phases }, text: result.text };
  });
}

async function viaPlainTransformersJs(): Promise<ConversationStats[]> {
  env.allowRemoteModels = false;
  env.localModelPath = modelRoot!.endsWith('/') ? modelRoot! : `${modelRoot}/`;
  const processor = await AutoProcessor.from_pretrained(modelName!);
  const model = await Qwen2_5_VLForConditionalGeneration.from_pretrained(modelName!, {
    dtype,
    device: 'cpu',
    ...(threads ? { session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 } } : {}),
  });
  const region = benchRegion();
  return conversations(async (messages, tokens) => {
    const clock = new TokenClock();
    const image = new RawImage(region.data, region.width, region.height, 4).rgb();
    const prompt = processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
    const inputs = await processor(prompt, image);
    let text = '';
    const streamer = new TextStreamer(processor.tokenizer!, {
      skip_prompt: true,
      callback_function: (piece: string) => (text += piece),
      token_callback_function: () => clock.tick(),
    });
    await model.generate({ ...inputs, max_new_tokens: tokens, min_new_tokens: tokens, do_sample: false, streamer });
    return { stats: clock.stats(Number(inputs.input_ids.dims.at(-1))), text };
  });
}

const samples = mode === 'pathoLens' ? await viaPathoLens() : await viaPlainTransformersJs();
clearInterval(sampler);
process.stdout.write(`${JSON.stringify({ stats: medianConversation(samples), peakRssMiB: peakRss / 2 ** 20 })}\n`);
process.exit(0);
