/**
 * Patho-R1 on transformers.js: loading an exported model directory and streaming a generation. The inference
 * worker and the Node tests/CLI run this same module; only the transformers.js build differs (web build with
 * onnxruntime-web in the browser, node build with onnxruntime-node in Node), chosen by the package's exports.
 * transformers.js does the tokenizing, image preprocessing, M-RoPE positions, KV cache and generation loop.
 */
import {
  AutoProcessor,
  InterruptableStoppingCriteria,
  Qwen2_5_VLForConditionalGeneration,
  RawImage,
  TextStreamer,
  env,
} from '@huggingface/transformers';
import type { RgbaImage } from '../slide/slide-source';
import type { ChatMessage } from '../reasoner/prompt';
import { toGenerateKwargs, type GenerationSettings } from './generation-settings';
import type { ModelDtype } from './model-manifest';

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
}

export interface PathoR1Result {
  /** Ids of the generated tokens only (prompt excluded). */
  newTokenIds: number[];
  text: string;
  /** True when the signal stopped generation before it ended on its own. */
  stopped: boolean;
  promptTokens: number;
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

export class PathoR1Runtime {
  private constructor(
    private readonly processor: Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>,
    private readonly model: Awaited<ReturnType<typeof Qwen2_5_VLForConditionalGeneration.from_pretrained>>,
  ) {}

  static async load(options: PathoR1LoadOptions): Promise<PathoR1Runtime> {
    configureLocalModels(options.modelRoot);
    const progress = options.onProgress ? { progress_callback: options.onProgress } : {};
    const processor = await AutoProcessor.from_pretrained(options.modelName, progress);
    const model = await Qwen2_5_VLForConditionalGeneration.from_pretrained(options.modelName, {
      dtype: options.dtype,
      device: options.device,
      ...progress,
    });
    return new PathoR1Runtime(processor, model);
  }

  /** The prompt text the model's own chat template makes of the messages. */
  promptText(messages: ChatMessage[]): string {
    return this.processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
  }

  async generate(request: PathoR1Request): Promise<PathoR1Result> {
    const expectedImages = countImages(request.messages);
    if (expectedImages !== request.images.length) {
      throw new Error(`The prompt has ${expectedImages} image slot(s) but ${request.images.length} image(s) were given.`);
    }
    if (request.images.length > 1) {
      // transformers.js 4.3's Qwen2-VL image processor returns one grid for a list of images (measured), so
      // several images in one prompt would be mis-tokenized; PathoLens sends one ROI image per conversation.
      throw new Error('Patho-R1 in the browser takes one image per conversation: ask about one region at a time.');
    }
    const text = this.promptText(request.messages);
    const rawImages = request.images.map((image) => new RawImage(image.data, image.width, image.height, 4).rgb());
    const inputs = rawImages.length > 0 ? await this.processor(text, rawImages[0]) : await this.processor(text);
    const promptTokens = Number(inputs.input_ids.dims.at(-1));

    const stopping = new InterruptableStoppingCriteria();
    const onAbort = () => stopping.interrupt();
    if (request.signal?.aborted) stopping.interrupt();
    request.signal?.addEventListener('abort', onAbort);

    const tokenizer = this.processor.tokenizer;
    if (!tokenizer) throw new Error('The model folder has no tokenizer (tokenizer.json): export the model again.');
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
      })) as { data: ArrayLike<bigint | number>; dims: number[] };
      const all = Array.from(output.data, Number);
      const newTokenIds = all.slice(promptTokens);
      return { newTokenIds, text: streamed, stopped: stopping.interrupted, promptTokens };
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
