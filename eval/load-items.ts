/**
 * Which reader a task's --data gets: chosen by the task and the file's name, so a lab points the harness at a
 * download as it is (PathMMU data.json, a VLMEvalKit TSV, PathVQA/Quilt-VQA parquet, an ImageFolder, ARCH's
 * captions.json or an image/caption TSV).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, type CaptionPair, type LabelledImage, type McqItem, type VqaItem } from './items';
import { readArchCaptions, readCaptionTsv } from './readers/captions';
import { imageFolderClasses, readImageFolder } from './readers/image-folder';
import { readLabelSet, type ZeroShotPrompts } from './readers/label-set';
import { readPathMmu } from './readers/pathmmu';
import { readVlmEvalKitTsv } from './readers/vlmevalkit-tsv';
import { readVqaParquet } from './readers/vqa-parquet';

async function requireExists(target: string, what: string): Promise<void> {
  try {
    await stat(target);
  } catch {
    throw new DatasetError(`${target} does not exist: give --${what} the path of the downloaded benchmark.`);
  }
}

export async function loadMcq(data: string, images?: string): Promise<McqItem[]> {
  await requireExists(data, 'data');
  if (data.endsWith('.tsv')) return readVlmEvalKitTsv(data, images);
  if (data.endsWith('.json')) return readPathMmu(data, images);
  throw new DatasetError(`${data}: mcq reads PathMMU's data.json or a VLMEvalKit .tsv.`);
}

export async function loadVqa(data: string, closed: boolean): Promise<VqaItem[]> {
  await requireExists(data, 'data');
  const items = await readVqaParquet(data);
  return items.filter((item) => item.closed === closed);
}

export async function loadZeroShot(data: string, labels: string | undefined): Promise<{ items: LabelledImage[]; prompts: ZeroShotPrompts }> {
  if (!labels) throw new DatasetError('zero-shot needs --labels FILE: a label-set JSON (PathoCLIP lists or CONCH classnames/templates).');
  await requireExists(data, 'data');
  await requireExists(labels, 'labels');
  const prompts = await readLabelSet(labels, await imageFolderClasses(data));
  return { items: await readImageFolder(data, prompts.folders), prompts };
}

export async function loadRetrieval(data: string, images?: string): Promise<CaptionPair[]> {
  await requireExists(data, 'data');
  if (path.basename(data) === 'captions.json' || data.endsWith('.json')) return readArchCaptions(data, images);
  if (data.endsWith('.tsv')) return readCaptionTsv(data, images);
  throw new DatasetError(`${data}: retrieval reads ARCH's captions.json or a TSV with image and caption columns.`);
}

/** Item ids are the resume key: two items with one id would make one of them vanish. */
export function requireUniqueIds(items: readonly { id: string }[], data: string): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    if (seen.has(id)) throw new DatasetError(`${data} has two items with the id "${id}"; ids must be unique to resume a run.`);
    seen.add(id);
  }
}
