/**
 * PathoCLIP on transformers.js: the exported text and vision towers (CLIPTextModelWithProjection and
 * CLIPVisionModelWithProjection, each with its own weights), the CLIP tokenizer with open_clip's truncation, and
 * the CLIP image processor (bicubic resize of the short side, center crop, OpenAI mean/std). The worker and Node
 * (tests, CLI, benchmarks) run this same module. Embeddings come back L2-normalised.
 */
import { AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, RawImage, Tensor } from '@huggingface/transformers';
import type { RgbaImage } from '../slide/slide-source';
import { InferenceError } from './inference-error';
import type { ModelDtype } from './model-manifest';
import type { PathoClipEngine, PathoClipModelInfo } from './pathoclip-engine';
import { normalize, openClipTokenIds, textTruncationFromConfig, type TextTruncation } from './pathoclip-tokens';
import { configureLocalModels, type InferenceDevice } from './patho-r1-runtime';

export interface PathoClipLoadOptions {
  /** Folder (Node path or URL path) that holds model directories, e.g. "models/tiny/" or "/models/". */
  modelRoot: string;
  modelName: string;
  imageDtype: ModelDtype;
  textDtype: ModelDtype;
  device: InferenceDevice;
  onProgress?: (event: unknown) => void;
}

type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
type Processor = Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>;
type TextModel = Awaited<ReturnType<typeof CLIPTextModelWithProjection.from_pretrained>>;
type VisionModel = Awaited<ReturnType<typeof CLIPVisionModelWithProjection.from_pretrained>>;

interface PathoClipConfigBlock {
  logit_scale?: unknown;
  logit_bias?: unknown;
  open_clip_model_cfg?: { embed_dim?: unknown; vision_cfg?: { image_size?: unknown } };
}

function abortIfNeeded(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InferenceError('cancelled', 'The PathoCLIP request was cancelled.');
}

/** The rows of a [N, D] tensor, each normalised. */
function normalizedRows(tensor: Tensor): Float32Array[] {
  const [rows, columns] = tensor.dims as [number, number];
  const data = tensor.data as Float32Array;
  return Array.from({ length: rows }, (_, row) => normalize(data.subarray(row * columns, (row + 1) * columns)));
}

export class PathoClipRuntime implements PathoClipEngine {
  private constructor(
    readonly info: PathoClipModelInfo,
    private readonly tokenizer: Tokenizer,
    private readonly processor: Processor,
    private readonly textModel: TextModel,
    private readonly visionModel: VisionModel,
    private readonly truncation: TextTruncation,
  ) {}

  static async load(options: PathoClipLoadOptions): Promise<PathoClipRuntime> {
    configureLocalModels(options.modelRoot);
    const progress = options.onProgress ? { progress_callback: options.onProgress } : {};
    const tokenizer = await AutoTokenizer.from_pretrained(options.modelName, progress);
    const processor = await AutoProcessor.from_pretrained(options.modelName, progress);
    const textModel = await CLIPTextModelWithProjection.from_pretrained(options.modelName, { dtype: options.textDtype, device: options.device, ...progress });
    const visionModel = await CLIPVisionModelWithProjection.from_pretrained(options.modelName, {
      dtype: options.imageDtype,
      device: options.device,
      ...progress,
    });
    const config = textModel.config as unknown as { patholens?: PathoClipConfigBlock; projection_dim?: unknown; vision_config?: { image_size?: unknown } };
    const block = config.patholens;
    if (!block || typeof block.logit_scale !== 'number') {
      throw new InferenceError(
        'model-files',
        `${options.modelName} is not a PathoCLIP export: config.json has no patholens.logit_scale. Export it with models/export.`,
      );
    }
    const embedDim = Number(block.open_clip_model_cfg?.embed_dim ?? config.projection_dim);
    const imageSize = Number(block.open_clip_model_cfg?.vision_cfg?.image_size ?? config.vision_config?.image_size);
    const info: PathoClipModelInfo = {
      embedDim,
      imageSize,
      logitScale: block.logit_scale,
      logitBias: typeof block.logit_bias === 'number' ? block.logit_bias : null,
      imageDtype: options.imageDtype,
      textDtype: options.textDtype,
      modelKey: `${options.modelName}:${options.imageDtype}/${options.textDtype}`,
    };
    return new PathoClipRuntime(info, tokenizer, processor, textModel, visionModel, textTruncationFromConfig(config));
  }

  /** The 77 ids the text tower takes for `text` (tokenized without truncation, then cut the open_clip way). */
  tokenIds(text: string): number[] {
    const encoded = this.tokenizer(text) as { input_ids: { data: ArrayLike<bigint | number> } };
    return openClipTokenIds(Array.from(encoded.input_ids.data, Number), this.truncation);
  }

  async embedTexts(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    abortIfNeeded(signal);
    if (texts.length === 0) return [];
    const length = this.truncation.contextLength;
    const ids = texts.flatMap((text) => this.tokenIds(text));
    const inputIds = new Tensor('int64', BigInt64Array.from(ids, BigInt), [texts.length, length]);
    const { text_embeds: embeds } = (await this.textModel({ input_ids: inputIds })) as { text_embeds: Tensor };
    abortIfNeeded(signal);
    return normalizedRows(embeds);
  }

  async embedImages(images: RgbaImage[], signal?: AbortSignal): Promise<Float32Array[]> {
    abortIfNeeded(signal);
    if (images.length === 0) return [];
    const raw = images.map((image) => new RawImage(image.data, image.width, image.height, 4).rgb());
    const { pixel_values: pixelValues } = (await this.processor(raw)) as { pixel_values: Tensor };
    abortIfNeeded(signal);
    const { image_embeds: embeds } = (await this.visionModel({ pixel_values: pixelValues })) as { image_embeds: Tensor };
    return normalizedRows(embeds);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.textModel.dispose(), this.visionModel.dispose()]);
  }
}
