/**
 * A bank as one file (fflate zip): bank.json plus images/<id>.<ext>. Embedded data-URL images are written as
 * files and read back as the same data URLs, so export → import gives the same bank.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { MAX_BANK_BYTES, parseBankJson, tooLarge, type BankImport, type Question, type QuestionBank } from './bank-schema';
import { bytesToBase64 } from '../../ui/base64';

const EXT_BY_MIME: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif' };
const MIME_BY_EXT: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

function dataUrlToBytes(dataUrl: string): { mime: string; bytes: Uint8Array } {
  const comma = dataUrl.indexOf(',');
  const head = dataUrl.slice(0, comma);
  const b64 = dataUrl.slice(comma + 1);
  const mime = head.slice(5, head.indexOf(';'));
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return { mime, bytes };
}

function bytesToDataUrl(mime: string, bytes: Uint8Array): string {
  return `data:${mime};base64,${bytesToBase64(bytes)}`;
}

/** File names from ids, kept unique and safe inside the zip. */
function fileName(id: string, ext: string, used: Set<string>): string {
  const base = id.replace(/[^A-Za-z0-9._-]/g, '_') || 'image';
  let name = `images/${base}.${ext}`;
  for (let n = 2; used.has(name); n++) name = `images/${base}-${n}.${ext}`;
  used.add(name);
  return name;
}

export function exportBankZip(bank: QuestionBank): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  const used = new Set<string>();
  const questions: Question[] = bank.questions.map((q) => {
    if (q.image?.kind !== 'data-url') return q;
    const { mime, bytes } = dataUrlToBytes(q.image.dataUrl);
    const name = fileName(q.id, EXT_BY_MIME[mime] ?? 'bin', used);
    files[name] = bytes;
    return { ...q, image: { kind: 'file', path: name } };
  });
  files['bank.json'] = strToU8(JSON.stringify({ ...bank, questions }, null, 2));
  return zipSync(files, { level: 6 });
}

/**
 * Resolves `file` images against the other files of the zip or folder; a missing or unknown file is an error for
 * that question only.
 */
export function resolveImageFiles(result: BankImport, files: Record<string, Uint8Array>): BankImport {
  if (!result.bank) return result;
  const errors = [...result.errors];
  const questions: Question[] = [];
  result.bank.questions.forEach((q) => {
    if (q.image?.kind !== 'file') return questions.push(q);
    const path = q.image.path.replace(/^\.\//, '');
    const bytes = files[path];
    const mime = MIME_BY_EXT[path.split('.').pop()?.toLowerCase() ?? ''];
    if (!bytes || !mime) {
      errors.push({
        row: 0,
        id: q.id,
        field: 'image',
        message: bytes ? `"${path}" is not a PNG, JPEG, WebP or GIF image` : `"${path}" is not in the zip or folder; import the whole bank zip`,
      });
      return;
    }
    questions.push({ ...q, image: { kind: 'data-url', dataUrl: bytesToDataUrl(mime, bytes) } });
  });
  return { ...result, bank: { ...result.bank, questions }, errors };
}

export function importBankZip(zip: Uint8Array): BankImport {
  const big = tooLarge(zip.length);
  if (big) return { bank: null, errors: [], fatal: big };
  let files: Record<string, Uint8Array>;
  try {
    // The filter refuses an entry that would unpack past the size limit (a zip bomb) before inflating it.
    let total = 0;
    files = unzipSync(zip, { filter: (f) => (total += f.originalSize) <= MAX_BANK_BYTES * 4 });
  } catch (e) {
    return { bank: null, errors: [], fatal: `This file is not a readable zip (${(e as Error).message}). Export the bank again.` };
  }
  const json = files['bank.json'];
  if (!json) return { bank: null, errors: [], fatal: 'This zip has no bank.json at its top level; it is not a PathoLens bank export.' };
  return resolveImageFiles(parseBankJson(strFromU8(json)), files);
}
