/**
 * VLMEvalKit's MCQ TSV (its ImageMCQDataset files): a header row with `index`, `question`, optional `hint`,
 * one column per option (`A`, `B`, …; empty where a question has fewer), `answer` (the letter), `image` (base64)
 * or `image_path`, and optional `category`/`split`. A short `image` cell holds another row's index: VLMEvalKit
 * stores a repeated image once. Parsed with csv-parse (pandas quotes cells that hold tabs, quotes or newlines).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DatasetError, type ImageRef, type McqItem } from '../items';

type Row = Record<string, string>;

export async function readTsvRows(file: string): Promise<Row[]> {
  try {
    return parse(await readFile(file, 'utf8'), { delimiter: '\t', columns: true, skip_empty_lines: true, relax_quotes: true, bom: true }) as Row[];
  } catch (error) {
    throw new DatasetError(`${file} is not a readable TSV (${(error as Error).message}).`);
  }
}

export async function readVlmEvalKitTsv(file: string, imageRoot = path.dirname(file)): Promise<McqItem[]> {
  const rows = await readTsvRows(file);
  const first = rows[0];
  if (!first || !('question' in first) || !('answer' in first) || !('A' in first)) {
    throw new DatasetError(`${file} is not a VLMEvalKit MCQ TSV: it needs the columns index, question, A, B…, answer and image.`);
  }
  const imagesByIndex = new Map(rows.map((row) => [row.index ?? '', row.image ?? '']));
  return rows.map((row, position) => {
    const options: string[] = [];
    for (let code = 65; code <= 90; code++) {
      const cell = row[String.fromCharCode(code)];
      if (cell === undefined || cell.trim() === '' || cell === 'nan') break;
      options.push(cell.trim());
    }
    const letter = (row.answer ?? '').trim().toUpperCase();
    const answerIndex = /^[A-Z]$/.test(letter) && letter.charCodeAt(0) - 65 < options.length ? letter.charCodeAt(0) - 65 : -1;
    const hint = row.hint && row.hint !== 'nan' ? `Hint: ${row.hint.trim()}\n` : '';
    const id = row.index || String(position);
    return {
      id,
      question: `${hint}${row.question ?? ''}`.trim(),
      options,
      answerIndex,
      group: { subset: row.category || 'all', split: row.split || 'all' },
      image: imageOf(row, id, imagesByIndex, imageRoot),
    };
  });
}

function imageOf(row: Row, id: string, imagesByIndex: Map<string, string>, imageRoot: string): ImageRef {
  let cell = row.image ?? '';
  if (cell.length > 0 && cell.length <= 64 && imagesByIndex.has(cell)) cell = imagesByIndex.get(cell) ?? '';
  if (cell.length > 64) return { kind: 'bytes', bytes: Buffer.from(cell, 'base64'), name: `row ${id}` };
  return { kind: 'file', path: row.image_path ? path.resolve(imageRoot, row.image_path) : '' };
}
