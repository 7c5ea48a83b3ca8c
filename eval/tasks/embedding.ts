/**
 * Zero-shot classification and retrieval items through a PathoClipEngine: the Classify feature's scoring (class
 * embedding = normalised mean of its prompts; softmax of scaled cosines). Retrieval records keep both embeddings
 * so the similarity matrix is built at the end from whatever items finished, across resumed sessions.
 */
import { meanEmbedding, zeroShotClassify } from '../../src/features/classify/zero-shot';
import type { PathoClipEngine } from '../../src/inference/pathoclip-engine';
import { decodeImage } from '../image';
import { argmax } from '../metrics';
import type { CaptionPair, ImageRef, LabelledImage } from '../items';

export interface ZeroShotRecord {
  id: string;
  order: number;
  label: number;
  predicted: number;
  probabilities: number[];
}

export interface RetrievalRecord {
  id: string;
  order: number;
  caption: string;
  imageEmbedding: number[];
  textEmbedding: number[];
}

/** One embedding per class, each the normalised mean of its prompts' embeddings. */
export async function classEmbeddings(engine: PathoClipEngine, prompts: readonly string[][]): Promise<Float32Array[]> {
  const result: Float32Array[] = [];
  for (const classPrompts of prompts) result.push(meanEmbedding(await engine.embedTexts([...classPrompts])));
  return result;
}

async function embedImage(engine: PathoClipEngine, image: ImageRef): Promise<Float32Array> {
  if (image.kind === 'file' && !image.path) throw new Error('The item names no image.');
  const decoded = await decodeImage(image).catch((error: unknown) => {
    throw new Error(`The image cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  });
  const [embedding] = await engine.embedImages([decoded]);
  return embedding as Float32Array;
}

export async function runZeroShotItem(
  engine: PathoClipEngine,
  classes: readonly Float32Array[],
  item: LabelledImage,
): Promise<Omit<ZeroShotRecord, 'id' | 'order'>> {
  const scores = zeroShotClassify(await embedImage(engine, item.image), classes, engine.info.logitScale, engine.info.logitBias);
  const probabilities = scores.map((score) => score.probability);
  // Ties go to the first class, as numpy's argmax does.
  return { label: item.label, predicted: argmax(probabilities), probabilities };
}

export async function runRetrievalItem(engine: PathoClipEngine, item: CaptionPair): Promise<Omit<RetrievalRecord, 'id' | 'order'>> {
  if (!item.caption.trim()) throw new Error('The pair has no caption.');
  const imageEmbedding = await embedImage(engine, item.image);
  const [textEmbedding] = await engine.embedTexts([item.caption]);
  return { caption: item.caption, imageEmbedding: Array.from(imageEmbedding), textEmbedding: Array.from(textEmbedding as Float32Array) };
}
