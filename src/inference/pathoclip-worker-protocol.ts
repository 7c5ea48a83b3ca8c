/**
 * Messages between the main thread and the PathoCLIP worker, in the style of the Patho-R1 worker's
 * (worker-protocol.ts): numbered requests, plain data, pixels and embeddings as transferable buffers.
 */
import type { RgbaImage } from '../slide/slide-source';
import type { SerializedInferenceError } from './inference-error';
import type { ModelDtype } from './model-manifest';
import type { PathoClipModelInfo } from './pathoclip-engine';
import type { InferenceDevice } from './patho-r1-runtime';
import type { LoadProgress } from './worker-protocol';

export interface PathoClipLoadOptions {
  modelRoot: string;
  modelName: string;
  /** Weights of the vision tower (runs once per tile: where quantization pays). */
  imageDtype: ModelDtype;
  /** Weights of the text tower (runs once per prompt: fp16/fp32 keep labels from flipping). */
  textDtype: ModelDtype;
  device: InferenceDevice;
  wasmThreads: number;
}

export type PathoClipWorkerRequest =
  | ({ type: 'load'; requestId: number } & PathoClipLoadOptions)
  | { type: 'embed-images'; requestId: number; images: RgbaImage[] }
  | { type: 'embed-texts'; requestId: number; texts: string[] }
  | { type: 'stop'; requestId: number };

export type PathoClipWorkerEvent =
  | ({ type: 'load-progress'; requestId: number } & LoadProgress)
  | { type: 'loaded'; requestId: number; info: PathoClipModelInfo }
  | { type: 'embeddings'; requestId: number; embeddings: Float32Array[] }
  | { type: 'error'; requestId: number; error: SerializedInferenceError };
