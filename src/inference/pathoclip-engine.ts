/**
 * The one shape every PathoCLIP embedder has: the worker client in the browser and the in-thread runtime in
 * Node (tests, eval CLI, benchmarks). Embeddings come back L2-normalised, so a dot product is the cosine
 * similarity; `logitScale` turns cosines into the logits PathoCLIP was trained with (softmax over classes).
 * Features (Classify, Search) talk to this interface only.
 */
import type { RgbaImage } from '../slide/slide-source';

export interface PathoClipModelInfo {
  /** Length of every embedding. */
  embedDim: number;
  /** The square image side the vision tower takes (e.g. 224); regions are read near this size. */
  imageSize: number;
  /** exp of the learned log scale: logits = logitScale * cosine (+ logitBias where the model has one). */
  logitScale: number;
  logitBias: number | null;
  /** Weights in use per tower, e.g. { image: 'q4', text: 'fp16' }. */
  imageDtype: string;
  textDtype: string;
  /** Stable name of the model directory and its weights, for keying caches and slide indexes. */
  modelKey: string;
}

export interface PathoClipEngine {
  readonly info: PathoClipModelInfo;
  /** One normalised embedding per image (RGBA, any size: resized and center-cropped as open_clip does). */
  embedImages(images: RgbaImage[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** One normalised embedding per text (tokenized and truncated as open_clip does). */
  embedTexts(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}
