/**
 * Patho-R1 on transformers.js: loading an exported model directory and streaming a generation. The inference
 * worker and the Node tests/CLI run this same module; only the transformers.js build differs (web build with
 * onnxruntime-web in the browser, node build with onnxruntime-node in Node), chosen by the package's exports.
 * transformers.js does the tokenizing, image preprocessing, M-RoPE positions, KV cache and generation loop.
 */
import {
  AutoProcessor,
  DynamicCache,
  InterruptableStoppingCriteria,
  Qwen2_5_VLForConditionalGeneration,
  RawImage,
  Tensor,
  TextStreamer,
  cat,
  env,
} from '@huggingface/transformers';
import type { RgbaImage } from '../slide/slide-source';
import { buildPathoR1Messages, type ChatMessage, type PromptOptions } from './patho-r1-prompt';
import { InferenceError } from './inference-error';
import { toGenerateKwargs, type GenerationSettings } from './generation-settings';
import type { ModelDtype } from './model-manifest';
import { SPEED_SAMPLE_IMAGE_SIDE, type SpeedSample } from './first-token-estimate';
import { pauseForEventLoop } from '../ui/event-loop';
import { ImagePreReader, imageFingerprint, type PreReadOutcome } from './image-pre-read';
import { continuesPrefix, promptPrefixLength } from './prompt-prefix';

export type InferenceDevice = 'webgpu' | 'wasm' | 'cpu';

export interface PathoR1LoadOptions {
  /** Folder (Node path or URL path) that holds model directories, e.g. "models/tiny/" or "/models/". */
  modelRoot: string;
  /** Directory name under modelRoot, e.g. "patho-r1". */
  modelName: string;
  dtype: ModelDtype;
  device: InferenceDevice;
  /** transformers.js progress events (per file: initiate, progress with loaded/total bytes, done). */
  onProgress?: (event: unknown) => void;
  /** onnxruntime-node only: intra-op threads per session (its default is the physical cores). */
  cpuThreads?: number;
}

/**
 * Where one answer's time went, from the model's own session runs: the vision tower, the token embeddings, the
 * decoder's first run over the whole prompt (prefill) and its later runs, one per new token (decode).
 */
export interface GenerationPhases {
  imageMs: number;
  embedMs: number;
  prefillMs: number;
  decodeMs: number;
  decodeRuns: number;
}

export interface PathoR1Request {
  messages: ChatMessage[];
  /** One image per `{type: 'image'}` entry in the messages, in order (RGBA, e.g. from SlideSource.readRegion). */
  images: RgbaImage[];
  settings: GenerationSettings;
  /** Called with each newly decoded piece of text. */
  onText?: (text: string) => void;
  /** Called once per generated token, for time-to-first-token and tokens/s. */
  onToken?: () => void;
  signal?: AbortSignal;
  /**
   * Polled once per generated token. In a worker running ONNX Runtime WASM the generation loop never yields
   * to the event loop, so a posted "stop" message would only arrive at the end; a flag in shared memory works.
   */
  stopRequested?: () => boolean;
  /**
   * Let the event loop run before each session run. For a worker without shared memory (a page that is not
   * cross-origin isolated): its posted "stop" message is then read between two tokens instead of after the answer.
   */
  yieldBetweenRuns?: boolean;
  /**
   * Which conversation this turn belongs to and how many answered turns precede it. A follow-up to the turn
   * this runtime answered last reuses that turn's KV cache and image features instead of re-encoding them.
   */
  conversation?: { id: string; turn: number };
}

/** transformers.js's Qwen2-VL M-RoPE position computation (not in its public typings). */
interface RopeIndexModel {
  get_rope_index(inputIds: Tensor, imageGridThw: unknown, videoGridThw: null, attentionMask: Tensor): [Tensor, Tensor];
}

/** A decoder KV cache as transformers.js keeps it (named tensors; dispose frees those on the GPU). */
type KvCache = { dispose(): Promise<void> | void };

/**
 * What a pre-read keeps for one set of images: the vision tower's output and, when prefilled, the decoder's KV cache
 * of the prompt up to the last image (system turn + user turn's image tokens, see prompt-prefix.ts) with its ids.
 */
interface PreReadEntry {
  features: Tensor;
  imageGridThw: Tensor;
  prefix: { ids: bigint[]; pastKeyValues: KvCache } | null;
}

/** What the last answered turn left behind for a follow-up. */
interface ConversationCache {
  id: string;
  /** Answered turns so far. */
  turns: number;
  /** The system prompt the cache was built with (a change, e.g. Chain-of-Draft, invalidates it). */
  systemText: string;
  /** Prompt and generated ids of every turn so far. */
  sequence: bigint[];
  pastKeyValues: KvCache;
  imageGridThw: unknown;
}

export interface PathoR1Result {
  /** Ids of the generated tokens only (prompt excluded). */
  newTokenIds: number[];
  text: string;
  /** True when the signal stopped generation before it ended on its own. */
  stopped: boolean;
  promptTokens: number;
  /** Prompt tokens that came from the previous turn's KV cache (0 when the prompt was encoded afresh). */
  reusedTokens: number;
  /** True when the image features came from a pre-read (preReadImages) instead of the vision tower in this answer. */
  imagePreRead: boolean;
  /** Prompt tokens (system turn + image) whose KV cache a pre-read had prefilled (0 when the whole prompt was fed). */
  prefixPreReadTokens: number;
  phases: GenerationPhases;
}

function emptyPhases(): GenerationPhases {
  return { imageMs: 0, embedMs: 0, prefillMs: 0, decodeMs: 0, decodeRuns: 0 };
}

/** Never reach for the Hugging Face hub: models come from the app's own files or the user's folder. */
export function configureLocalModels(modelRoot: string): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelRoot.endsWith('/') ? modelRoot : `${modelRoot}/`;
}

function countImages(messages: ChatMessage[]): number {
  return messages.reduce((count, message) => count + message.content.filter((part) => part.type === 'image').length, 0);
}

/**
 * M-RoPE positions of a prompt without images: 0..S-1 on all three axes and no offset. transformers.js 4.3.1's
 * text-only path records the offset as max + 1 + S where Hugging Face's Qwen2-VL has max + 1 - S (= 0), which
 * would place every decoded token 2S positions too far; giving both explicitly makes generate() use these.
 */
export function textOnlyPositions(length: number): { position_ids: Tensor; rope_deltas: Tensor } {
  const positions = BigInt64Array.from({ length: 3 * length }, (_, index) => BigInt(index % length));
  return { position_ids: new Tensor('int64', positions, [3, 1, length]), rope_deltas: new Tensor('int64', new BigInt64Array(1), [1, 1]) };
}

function messageText(message: ChatMessage | undefined): string {
  return (message?.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** The generation hook of transformers.js 4.3.1 that computes M-RoPE positions (not in its public typings). */
interface GenerationInternals {
  prepare_inputs_for_generation(inputIds: unknown, modelInputs: Record<string, unknown>, config: unknown): Record<string, unknown>;
}

export class PathoR1Runtime {
  private conversation: ConversationCache | null = null;
  /**
   * generate() keeps only its known inputs, so a `rope_deltas` we compute would be dropped, and the decode
   * steps would fall back to transformers.js's text-only offset (wrong, see textOnlyPositions). The model's
   * position hook is wrapped once to put ours in place for the generate() call that set it. Not a subclass:
   * transformers.js 4.3.1 finds a model's sessions by its exact class in a private map, so a subclass of
   * Qwen2_5_VLForConditionalGeneration loads as an encoder-only model (tried: "Model type … not found").
   */
  private ropeDeltasForNextGeneration: Tensor | null = null;
  private phases: GenerationPhases = emptyPhases();
  private yieldBetweenRuns = false;
  /**
   * Image features read ahead of a question (the vision tower's output) and the prompt prefix's KV cache, keyed by the
   * images' pixels. Two encodings kept, but only the newest pre-read's prefix cache (prefixHolder): in float32 a token
   * of it takes 24 KB (0.5B), 74 KB (Qwen2.5-VL-3B: 36 layers x 2 KV heads x 128), 115 KB (7B: 28 x 4 x 128), so
   * 6 / 18 / 28 MB for the benchmark's 248-token prefix and up to 33 / 99 / 154 MB for a 1-megapixel region (1280
   * image tokens). GPU tensors of a dropped one are freed.
   */
  private readonly preReader = new ImagePreReader<PreReadEntry>(2, undefined, (entry) => this.dropPrefix(entry));
  private prefixHolder: PreReadEntry | null = null;
  /** Set for one generate() call: features of its images from a pre-read, handed to transformers.js's encode_image. */
  private imageFeaturesForNextGeneration: Tensor | null = null;
  private readonly encodeImage: (inputs: { pixel_values: Tensor; image_grid_thw: Tensor }) => Promise<Tensor>;

  private constructor(
    private readonly processor: Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>,
    private readonly model: Awaited<ReturnType<typeof Qwen2_5_VLForConditionalGeneration.from_pretrained>>,
  ) {
    const internals = model as unknown as GenerationInternals;
    const prepare = internals.prepare_inputs_for_generation.bind(model);
    internals.prepare_inputs_for_generation = (inputIds, modelInputs, config) => {
      if (this.ropeDeltasForNextGeneration && !modelInputs.rope_deltas) modelInputs.rope_deltas = this.ropeDeltasForNextGeneration;
      return prepare(inputIds, modelInputs, config);
    };
    // transformers.js calls `this.encode_image` (bound per call) for a prompt's images: give it pre-read features.
    const imageModel = model as unknown as { encode_image(inputs: { pixel_values: Tensor; image_grid_thw: Tensor }): Promise<Tensor> };
    this.encodeImage = imageModel.encode_image.bind(model);
    imageModel.encode_image = (inputs) => {
      const features = this.imageFeaturesForNextGeneration;
      this.imageFeaturesForNextGeneration = null;
      return features ? Promise.resolve(features) : this.encodeImage(inputs);
    };
    // Time every session run (a few microseconds each) so each answer says where its time went.
    const sessions = (model as unknown as { sessions?: Record<string, { run(...args: unknown[]): Promise<unknown> }> }).sessions ?? {};
    for (const [name, session] of Object.entries(sessions)) {
      const run = session.run.bind(session);
      session.run = async (...args: unknown[]) => {
        if (this.yieldBetweenRuns) await pauseForEventLoop();
        const startedAt = performance.now();
        try {
          return await run(...args);
        } finally {
          this.recordRun(name, performance.now() - startedAt);
        }
      };
    }
  }

  private recordRun(session: string, ms: number): void {
    const phases = this.phases;
    if (session === 'vision_encoder') phases.imageMs += ms;
    else if (session === 'embed_tokens') phases.embedMs += ms;
    else if (phases.prefillMs === 0 && phases.decodeRuns === 0) phases.prefillMs = ms;
    else {
      phases.decodeMs += ms;
      phases.decodeRuns++;
    }
  }

  static async load(options: PathoR1LoadOptions): Promise<PathoR1Runtime> {
    configureLocalModels(options.modelRoot);
    const progress = options.onProgress ? { progress_callback: options.onProgress } : {};
    const processor = await AutoProcessor.from_pretrained(options.modelName, progress);
    const model = await Qwen2_5_VLForConditionalGeneration.from_pretrained(options.modelName, {
      dtype: options.dtype,
      device: options.device,
      ...(options.device === 'cpu' && options.cpuThreads ? { session_options: { intraOpNumThreads: options.cpuThreads, interOpNumThreads: 1 } } : {}),
      ...progress,
    });
    return new PathoR1Runtime(processor, model);
  }

  /** The prompt text the model's own chat template makes of the messages. */
  promptText(messages: ChatMessage[]): string {
    return this.processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
  }

  /**
   * Token ids and image inputs of a prompt. transformers.js 4.3's Qwen2-VL processor returns one grid for a list
   * of images (measured), which mis-tokenizes several images; so each image is processed on its own, the patches
   * and grids concatenated (the exported vision tower takes one grid row per image), and each image slot of the
   * text expanded to its own number of merged patches, as Hugging Face's Qwen2-VL processor does.
   */
  private async encodePrompt(text: string, images: RawImage[]): Promise<Record<string, unknown>> {
    if (images.length <= 1) return images.length === 1 ? this.processor(text, images[0]) : this.processor(text);
    const imageInputs = await this.imageInputs(images);
    return { ...(this.tokenizer()(this.expandImagePads(text, imageInputs.image_grid_thw)) as Record<string, unknown>), ...imageInputs };
  }

  /** The prompt ids and image grids `generate` would feed the model (tests compare them with PyTorch's). */
  async promptInputs(messages: ChatMessage[], images: RgbaImage[]): Promise<{ inputIds: number[]; imageGridThw: number[][] }> {
    const rawImages = images.map((image) => new RawImage(image.data, image.width, image.height, 4).rgb());
    const inputs = await this.encodePrompt(this.promptText(messages), rawImages);
    const ids = Array.from((inputs.input_ids as Tensor).data as BigInt64Array, Number);
    const grid = inputs.image_grid_thw as Tensor | undefined;
    const flat = grid ? Array.from(grid.data as BigInt64Array, Number) : [];
    return { inputIds: ids, imageGridThw: Array.from({ length: flat.length / 3 }, (_, row) => flat.slice(row * 3, row * 3 + 3)) };
  }

  /**
   * Runs the vision tower on `images` before any question, then the decoder over the prompt up to the last image (the
   * system turn of `prompt`'s options and the image tokens), so the next answer about exactly these pixels only feeds
   * its question (`prompt` null: the image only). One at a time; a newer call replaces one not yet started.
   */
  preReadImages(images: RgbaImage[], prompt: PromptOptions | null = {}): Promise<PreReadOutcome> {
    return this.preReader.preRead(imageFingerprint(images), async () => {
      const { pixel_values, image_grid_thw } = await this.imageInputs(images.map((image) => new RawImage(image.data, image.width, image.height, 4).rgb()));
      const features = await this.encodeImage({ pixel_values, image_grid_thw });
      const prefix = prompt ? await this.prefillPromptPrefix(images.length, prompt, { pixel_values, image_grid_thw }, features) : null;
      const entry: PreReadEntry = { features, imageGridThw: image_grid_thw, prefix };
      if (prefix) {
        if (this.prefixHolder) this.dropPrefix(this.prefixHolder);
        this.prefixHolder = entry;
      }
      return entry;
    });
  }

  private dropPrefix(entry: PreReadEntry): void {
    void entry.prefix?.pastKeyValues.dispose();
    entry.prefix = null;
  }

  /**
   * The decoder's KV cache of the prompt before the question, made with generate() asked for one token: it returns the
   * cache of the ids it was fed (the new token is never fed). The question is a placeholder: the prefix ends before it.
   */
  private async prefillPromptPrefix(
    imageCount: number,
    prompt: PromptOptions,
    imageInputs: { pixel_values: Tensor; image_grid_thw: Tensor },
    features: Tensor,
  ): Promise<PreReadEntry['prefix']> {
    const messages = buildPathoR1Messages([{ question: '?', withImage: true, ...(imageCount > 1 ? { regions: imageCount } : {}) }], prompt);
    const ids = this.tokenIds(this.promptText(messages), imageInputs.image_grid_thw);
    const length = promptPrefixLength(ids, this.tokenId('<|vision_end|>'));
    if (length === 0) return null;
    const prefixIds = ids.slice(0, length);
    this.imageFeaturesForNextGeneration = features;
    try {
      const output = (await this.model.generate({
        input_ids: new Tensor('int64', BigInt64Array.from(prefixIds), [1, length]),
        attention_mask: new Tensor('int64', new BigInt64Array(length).fill(1n), [1, length]),
        ...imageInputs,
        max_new_tokens: 1,
        do_sample: false,
        return_dict_in_generate: true,
      } as never)) as unknown as { past_key_values: KvCache & { get_seq_length(): number } };
      if (output.past_key_values.get_seq_length() !== length) {
        await output.past_key_values.dispose();
        return null;
      }
      return { ids: prefixIds, pastKeyValues: output.past_key_values };
    } finally {
      this.imageFeaturesForNextGeneration = null;
    }
  }

  private tokenizer(): NonNullable<typeof this.processor.tokenizer> {
    const tokenizer = this.processor.tokenizer;
    if (!tokenizer) throw new InferenceError('model-files', 'The model folder has no tokenizer (tokenizer.json): export the model again.');
    return tokenizer;
  }

  private tokenId(token: string): bigint {
    return BigInt(this.tokenizer().convert_tokens_to_ids([token])[0] as number);
  }

  /** `text` with each image slot expanded to the merged patches of its image in `imageGridThw` (one row per image). */
  private expandImagePads(text: string, imageGridThw: Tensor): string {
    const mergeSize = Number((this.processor.image_processor as unknown as { config: { merge_size?: number } }).config.merge_size ?? 2);
    const grid = Array.from(imageGridThw.data as BigInt64Array, Number);
    let imageIndex = 0;
    return text.replace(/<\|image_pad\|>/g, () => {
      const [t, h, w] = grid.slice(imageIndex * 3, imageIndex++ * 3 + 3) as [number, number, number];
      return '<|image_pad|>'.repeat((t * h * w) / (mergeSize * mergeSize));
    });
  }

  /** The ids of a prompt whose image slots are expanded to the merged patches of `imageGridThw` (as encodePrompt). */
  private tokenIds(text: string, imageGridThw: Tensor): bigint[] {
    return Array.from((this.tokenizer()(this.expandImagePads(text, imageGridThw)) as { input_ids: { data: ArrayLike<bigint> } }).input_ids.data, BigInt);
  }

  /** The vision tower's inputs for these images, as encodePrompt makes them (one image at a time, concatenated). */
  private async imageInputs(images: RawImage[]): Promise<{ pixel_values: Tensor; image_grid_thw: Tensor }> {
    const imageProcessor = this.processor.image_processor as unknown as (image: RawImage) => Promise<{ pixel_values: Tensor; image_grid_thw: Tensor }>;
    const perImage: { pixel_values: Tensor; image_grid_thw: Tensor }[] = [];
    for (const image of images) perImage.push(await imageProcessor(image)); // one at a time: peak memory of one image
    if (perImage.length === 1) return perImage[0]!;
    return {
      pixel_values: cat(
        perImage.map((part) => part.pixel_values),
        0,
      ),
      image_grid_thw: cat(
        perImage.map((part) => part.image_grid_thw),
        0,
      ),
    };
  }

  /**
   * Inputs that continue a KV cache holding the first `cachedTokens` of `full`: only the rest is fed, with M-RoPE
   * positions computed over the whole sequence (image grid included) and the rope deltas the decode steps need.
   */
  private continuation(full: bigint[], cachedTokens: number, imageGridThw: unknown, pastKeyValues: KvCache): Record<string, unknown> {
    const mask = new Tensor('int64', new BigInt64Array(full.length).fill(1n), [1, full.length]);
    const [positionIds, ropeDeltas] = (this.model as unknown as RopeIndexModel).get_rope_index(
      new Tensor('int64', BigInt64Array.from(full), [1, full.length]),
      imageGridThw,
      null,
      mask,
    );
    this.ropeDeltasForNextGeneration = ropeDeltas;
    const tail = full.slice(cachedTokens);
    return {
      input_ids: new Tensor('int64', BigInt64Array.from(tail), [1, tail.length]),
      attention_mask: mask,
      position_ids: (positionIds as unknown as { slice(...ranges: unknown[]): Tensor }).slice(null, null, [cachedTokens, null]),
      past_key_values: pastKeyValues,
    };
  }

  async generate(request: PathoR1Request): Promise<PathoR1Result> {
    const expectedImages = countImages(request.messages);
    if (expectedImages !== request.images.length) {
      throw new InferenceError('bad-request', `The prompt has ${expectedImages} image slot(s) but ${request.images.length} image(s) were given.`);
    }
    // Never run sessions beside a pre-read: wait for one in flight, drop one not started, take its features if they
    // are of these images (hashed before encodePrompt, whose RawImage conversion may reuse the pixels' memory).
    const preRead = await this.preReader.forAnswer(request.images.length > 0 ? imageFingerprint(request.images) : null);
    const tokenizer = this.tokenizer();
    const systemText = messageText(request.messages[0]);
    const previous = this.conversation;
    const followUp =
      request.conversation &&
      previous &&
      previous.id === request.conversation.id &&
      previous.turns === request.conversation.turn &&
      previous.systemText === systemText
        ? previous
        : null;
    if (previous && previous !== followUp) {
      // A different conversation (or an out-of-step turn): its cache is no longer useful.
      await previous.pastKeyValues.dispose();
      this.conversation = null;
    }

    this.phases = emptyPhases();
    let inputs: Record<string, unknown>;
    let reusedTokens = 0;
    /** Ids before the fed ones that come from a pre-read's prefix cache (none when the prompt is fed whole). */
    let prefixIds: bigint[] = [];
    let imageGridThw: unknown;
    const text = followUp ? '' : this.promptText(request.messages);
    const ids = !followUp && preRead?.prefix ? this.tokenIds(text, preRead.imageGridThw) : null;
    if (followUp) {
      // The cached sequence ends inside the assistant turn; close it and add the new user turn the way the chat
      // template writes it. Only the uncached tail is fed, with M-RoPE positions taken from the whole sequence
      // (image grid included) and the rope deltas transformers.js needs for the following decode steps. No
      // image goes in: its features are already in the cache.
      const imEnd = BigInt(tokenizer.convert_tokens_to_ids(['<|im_end|>'])[0] as number);
      const closing = followUp.sequence.at(-1) === imEnd ? '' : '<|im_end|>';
      const suffix = `${closing}\n<|im_start|>user\n${messageText(request.messages.at(-1))}<|im_end|>\n<|im_start|>assistant\n`;
      const suffixIds = Array.from((tokenizer(suffix, { add_special_tokens: false }) as { input_ids: { data: ArrayLike<bigint> } }).input_ids.data, BigInt);
      const full = [...followUp.sequence, ...suffixIds];
      // The last generated token was never fed to the model, so the cache holds one token less.
      reusedTokens = followUp.sequence.length - 1;
      inputs = this.continuation(full, reusedTokens, followUp.imageGridThw, followUp.pastKeyValues);
      imageGridThw = followUp.imageGridThw;
    } else if (preRead?.prefix && ids && continuesPrefix(ids, preRead.prefix.ids)) {
      // The system turn and the image tokens were prefilled when the image was read ahead: feed only the question,
      // on a copy of that cache (generate() replaces the entries of the cache it is given; the copy keeps the
      // pre-read's for another question about the same region). GPU tensors would be freed when replaced, so a cache
      // on the GPU is handed over once.
      const prefix = preRead.prefix;
      const onGpu = Object.values(prefix.pastKeyValues).some((tensor) => (tensor as { location?: string }).location === 'gpu-buffer');
      const cache = onGpu ? prefix.pastKeyValues : new DynamicCache({ ...(prefix.pastKeyValues as unknown as Record<string, Tensor>) });
      if (onGpu) preRead.prefix = null;
      prefixIds = prefix.ids;
      imageGridThw = preRead.imageGridThw;
      inputs = this.continuation(ids, prefixIds.length, preRead.imageGridThw, cache);
    } else {
      const rawImages = request.images.map((image) => new RawImage(image.data, image.width, image.height, 4).rgb());
      inputs = await this.encodePrompt(text, rawImages);
      imageGridThw = inputs.image_grid_thw ?? null;
      if (preRead) this.imageFeaturesForNextGeneration = preRead.features;
      if (rawImages.length === 0) {
        const { position_ids, rope_deltas } = textOnlyPositions(Number((inputs.input_ids as Tensor).dims.at(-1)));
        inputs = { ...inputs, position_ids };
        this.ropeDeltasForNextGeneration = rope_deltas;
      }
    }
    const fedTokens = Number((inputs.input_ids as { dims: number[] }).dims.at(-1));
    const promptTokens = reusedTokens + prefixIds.length + fedTokens;

    const stopping = new InterruptableStoppingCriteria();
    this.yieldBetweenRuns = request.yieldBetweenRuns ?? false;
    const onAbort = () => stopping.interrupt();
    if (request.signal?.aborted) stopping.interrupt();
    request.signal?.addEventListener('abort', onAbort);

    let streamed = '';
    const streamer = new TextStreamer(tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (piece: string) => {
        streamed += piece;
        request.onText?.(piece);
      },
      token_callback_function: () => {
        request.onToken?.();
        if (request.stopRequested?.()) stopping.interrupt();
      },
    });
    try {
      const output = (await this.model.generate({
        ...inputs,
        ...toGenerateKwargs(request.settings),
        streamer,
        stopping_criteria: stopping,
        return_dict_in_generate: true,
      })) as unknown as { sequences: { data: ArrayLike<bigint> }; past_key_values: ConversationCache['pastKeyValues'] };
      // generate() returns the ids it was fed plus the new ones; put the cached prefix back in front.
      const sequence = [...(followUp ? followUp.sequence.slice(0, reusedTokens) : prefixIds), ...Array.from(output.sequences.data, BigInt)];
      if (request.conversation) {
        this.conversation = {
          id: request.conversation.id,
          turns: request.conversation.turn + 1,
          systemText,
          sequence,
          pastKeyValues: output.past_key_values,
          imageGridThw,
        };
      } else {
        await output.past_key_values.dispose();
        this.conversation = null;
      }
      const newTokenIds = sequence.slice(promptTokens).map(Number);
      const imagePreRead = !followUp && preRead !== undefined;
      const prefixPreReadTokens = prefixIds.length;
      return {
        newTokenIds,
        text: streamed,
        stopped: stopping.interrupted,
        promptTokens,
        reusedTokens,
        imagePreRead,
        prefixPreReadTokens,
        phases: { ...this.phases },
      };
    } finally {
      this.imageFeaturesForNextGeneration = null;
      this.ropeDeltasForNextGeneration = null;
      this.yieldBetweenRuns = false;
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * A short measurement of this computer's speed with this model: one token about a small grey image, twice (the
   * first run also sets ONNX Runtime up, so only the second counts). Leaves no conversation behind.
   */
  async measureSpeed(): Promise<SpeedSample> {
    const side = SPEED_SAMPLE_IMAGE_SIDE;
    const request = (): PathoR1Request => ({
      messages: [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe this image.' }] }],
      images: [{ width: side, height: side, data: new Uint8ClampedArray(side * side * 4).fill(200) }],
      settings: { sample: false, temperature: 1, topP: 1, topK: 0, repetitionPenalty: 1, maxNewTokens: 1, minNewTokens: 1 },
    });
    await this.generate(request());
    const result = await this.generate(request());
    return {
      imagePatches: (side / 14) ** 2,
      imageMs: result.phases.imageMs,
      promptTokens: result.promptTokens,
      prefillMs: result.phases.prefillMs + result.phases.embedMs,
    };
  }

  async dispose(): Promise<void> {
    await this.preReader.forAnswer(null);
    this.preReader.clear();
    await this.conversation?.pastKeyValues.dispose();
    this.conversation = null;
    await this.model.dispose();
  }
}
