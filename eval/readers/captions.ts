/**
 * Retrieval pairs: ARCH's captions.json (`{"0": {"figure_id", "letter", "caption", "uuid"}, …}` with the image at
 * images/UUID.png or .jpg beside it) or a TSV with a header naming `image` (a path) and `caption` columns.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, type CaptionPair } from '../items';
import { parseJson } from './pathmmu';
import { readTsvRows } from './vlmevalkit-tsv';

const ARCH_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

export async function readArchCaptions(file: string, imageRoot = path.join(path.dirname(file), 'images')): Promise<CaptionPair[]> {
  const json = parseJson(await readFile(file, 'utf8'), file);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DatasetError(`${file} is not ARCH's captions.json: expected {"0": {"caption": …, "uuid": …}, …}.`);
  }
  return Object.entries(json as Record<string, { caption?: unknown; uuid?: unknown }>).map(([key, entry]) => {
    const uuid = typeof entry?.uuid === 'string' ? entry.uuid : '';
    const found = ARCH_EXTENSIONS.map((extension) => path.join(imageRoot, `${uuid}${extension}`)).find((candidate) => existsSync(candidate));
    return {
      id: key,
      caption: typeof entry?.caption === 'string' ? entry.caption : '',
      image: { kind: 'file', path: uuid ? (found ?? path.join(imageRoot, `${uuid}.png`)) : '' },
    };
  });
}

export async function readCaptionTsv(file: string, imageRoot = path.dirname(file)): Promise<CaptionPair[]> {
  const rows = await readTsvRows(file);
  if (rows.length > 0 && !('image' in rows[0]! && 'caption' in rows[0]!)) {
    throw new DatasetError(`${file} needs a header with "image" and "caption" columns (one image path and its caption per row).`);
  }
  return rows.map((row, position) => ({
    id: String(position),
    caption: row.caption ?? '',
    image: { kind: 'file', path: row.image ? path.resolve(imageRoot, row.image) : '' },
  }));
}
