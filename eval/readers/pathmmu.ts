/**
 * PathMMU's data.json (huggingface.co/datasets/jamessyx/PathMMU): `{SUBSET: {SPLIT: [item, ...]}}`, each item with
 * `question`, `options` as "A) text" strings, `answer` as "B) text" (or "B"), and its image in `img` (or
 * `source_img` in the Atlas subset), a path relative to the image root.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, type McqItem } from '../items';

const OPTION_PREFIX = /^\s*\(?([A-Z])[).:]\s*/;

interface PathMmuItem {
  No?: unknown;
  question?: unknown;
  options?: unknown;
  answer?: unknown;
  img?: unknown;
  source_img?: unknown;
}

export async function readPathMmu(file: string, imageRoot = path.dirname(file)): Promise<McqItem[]> {
  const json = parseJson(await readFile(file, 'utf8'), file);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DatasetError(`${file} is not PathMMU's data.json: expected {"SUBSET": {"SPLIT": [questions]}}.`);
  }
  const items: McqItem[] = [];
  for (const [subset, splits] of Object.entries(json as Record<string, unknown>)) {
    if (typeof splits !== 'object' || splits === null || Array.isArray(splits)) {
      throw new DatasetError(`${file}: subset "${subset}" is not an object of splits, as PathMMU's data.json has.`);
    }
    for (const [split, list] of Object.entries(splits as Record<string, unknown>)) {
      if (!Array.isArray(list)) throw new DatasetError(`${file}: ${subset}/${split} is not a list of questions.`);
      list.forEach((raw: PathMmuItem, position) => {
        const id = `${subset}/${split}/${typeof raw.No === 'number' || typeof raw.No === 'string' ? raw.No : position}`;
        items.push(toItem(raw, id, subset, split, imageRoot));
      });
    }
  }
  return items;
}

/** One question; a malformed one keeps its id and gets an answerIndex of -1 so the harness records the error. */
function toItem(raw: PathMmuItem, id: string, subset: string, split: string, imageRoot: string): McqItem {
  const options = Array.isArray(raw.options) ? raw.options.map((option) => String(option).replace(OPTION_PREFIX, '').trim()) : [];
  const answer = typeof raw.answer === 'string' ? raw.answer.trim() : '';
  const letter = OPTION_PREFIX.exec(answer)?.[1] ?? (/^[A-Z]$/.test(answer) ? answer : '');
  const answerIndex = letter ? letter.charCodeAt(0) - 65 : -1;
  const image = typeof raw.img === 'string' ? raw.img : typeof raw.source_img === 'string' ? raw.source_img : '';
  return {
    id,
    question: typeof raw.question === 'string' ? raw.question : '',
    options,
    answerIndex: answerIndex < options.length ? answerIndex : -1,
    group: { subset, split },
    image: { kind: 'file', path: image ? path.resolve(imageRoot, image) : '' },
  };
}

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DatasetError(`${file} is not valid JSON (${(error as Error).message}).`);
  }
}
