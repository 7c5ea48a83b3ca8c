/**
 * PathVQA and Quilt-VQA as Hugging Face stores them (flaviagiammarino/path-vqa, wisdomik/Quilt_VQA): parquet with
 * an `image` struct column (`bytes`, `path`), `question` and `answer`; Quilt-VQA adds `answer_type` (CLOSED/OPEN).
 * Without `answer_type` a question is closed when its answer is yes or no (PathVQA's split). Read with hyparquet;
 * a folder reads every *.parquet in it, in name order.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { closedAnswer } from '../metrics';
import { DatasetError, type ImageRef, type VqaItem } from '../items';

interface ParquetRow {
  image?: { bytes?: Uint8Array | null; path?: string | null } | null;
  question?: unknown;
  answer?: unknown;
  answer_type?: unknown;
}

export async function readVqaParquet(target: string): Promise<VqaItem[]> {
  const files = (await stat(target)).isDirectory()
    ? (await readdir(target))
        .filter((name) => name.endsWith('.parquet'))
        .sort()
        .map((name) => path.join(target, name))
    : [target];
  if (files.length === 0) throw new DatasetError(`${target} has no .parquet files.`);
  const items: VqaItem[] = [];
  for (const file of files) {
    let rows: ParquetRow[];
    try {
      // utf8: false keeps the image bytes binary (text columns are annotated as strings and still decode).
      rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file), utf8: false })) as ParquetRow[];
    } catch (error) {
      throw new DatasetError(`${file} is not a readable parquet file (${(error as Error).message}).`);
    }
    if (rows.length > 0 && !('question' in rows[0]! && 'answer' in rows[0]!)) {
      throw new DatasetError(`${file} has no question and answer columns: expected PathVQA's or Quilt-VQA's parquet.`);
    }
    const prefix = files.length > 1 ? `${path.basename(file, '.parquet')}/` : '';
    rows.forEach((row, position) => {
      const answer = typeof row.answer === 'string' ? row.answer : '';
      const type = typeof row.answer_type === 'string' ? row.answer_type.toUpperCase() : null;
      items.push({
        id: `${prefix}${position}`,
        question: typeof row.question === 'string' ? row.question : '',
        answer,
        closed: type ? type === 'CLOSED' : closedAnswer(answer) !== null,
        image: imageOf(row, `${prefix}${position}`, path.dirname(file)),
      });
    });
  }
  return items;
}

function imageOf(row: ParquetRow, id: string, root: string): ImageRef {
  const bytes = row.image?.bytes;
  if (bytes && bytes.length > 0) return { kind: 'bytes', bytes, name: row.image?.path || `row ${id}` };
  return { kind: 'file', path: row.image?.path ? path.resolve(root, row.image.path) : '' };
}
