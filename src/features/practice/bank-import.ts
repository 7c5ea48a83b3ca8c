/**
 * Importing a bank from what the user picked: one file (bank.json, a CSV, or an exported zip) or a folder (bank.json
 * or a CSV, plus its images/). Sizes are checked before anything is read, so a huge pick is refused with a sentence
 * instead of freezing the tab. Pure apart from reading the picked files through `read()`: no DOM, no store.
 */
import { strFromU8 } from 'fflate';
import { parseBankJson, tooLarge, type BankImport, type QuestionBank } from './bank-schema';
import { parseBankCsv } from './bank-csv';
import { importBankZip, resolveImageFiles } from './bank-zip';

/** One picked file: `path` is its place in a picked folder (webkitRelativePath), or just its name. */
export interface PickedFile {
  name: string;
  path: string;
  size: number;
  read(): Promise<Uint8Array>;
}

const IMAGE_FILE = /\.(png|jpe?g|webp|gif)$/i;
const fail = (fatal: string): BankImport => ({ bank: null, errors: [], fatal });

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** A bank id from a file name: lower-case letters, digits and dashes ("Liver MCQs.csv" -> "liver-mcqs"). */
export function bankIdFromName(name: string): string {
  const base = name.replace(/\.[^.]*$/, '');
  return (
    base
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'bank'
  );
}

function titleFromName(name: string): string {
  return name.replace(/\.[^.]*$/, '').trim() || 'Imported bank';
}

function parseText(name: string, text: string): BankImport {
  return extension(name) === 'csv' ? parseBankCsv(text, { id: bankIdFromName(name), title: titleFromName(name) }) : parseBankJson(text);
}

async function importOneFile(file: PickedFile): Promise<BankImport> {
  const ext = extension(file.name);
  if (!['json', 'csv', 'zip'].includes(ext)) {
    return fail(`“${file.name}” is not a question bank: choose a bank.json, a .csv or a bank .zip exported by PathoLens (README "Practice").`);
  }
  const big = tooLarge(file.size);
  if (big) return fail(big);
  const bytes = await file.read();
  if (ext === 'zip') return importBankZip(bytes);
  // A lone JSON or CSV has no images beside it: a question pointing at an image file is reported, the rest kept.
  return resolveImageFiles(parseText(file.name, strFromU8(bytes)), {});
}

/** The folder a file is in, within the pick ("bank/images/a.png" -> "bank/images/"). */
function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash + 1);
}

async function importFolder(files: PickedFile[]): Promise<BankImport> {
  // The bank file nearest the top of the folder: bank.json first, else a single CSV.
  const byDepth = [...files].sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  const json = byDepth.find((f) => f.name.toLowerCase() === 'bank.json');
  const csvs = byDepth.filter((f) => extension(f.name) === 'csv');
  const zips = byDepth.filter((f) => extension(f.name) === 'zip');
  const main = json ?? (csvs.length === 1 ? csvs[0] : undefined);
  if (!main) {
    if (!json && csvs.length === 0 && zips.length === 1 && zips[0]) return importOneFile(zips[0]);
    return fail(
      csvs.length > 1
        ? `This folder has ${csvs.length} CSV files and no bank.json; import the CSV files one by one.`
        : 'This folder has no bank.json or CSV file; choose the folder that holds bank.json and its images/ folder.',
    );
  }
  const root = folderOf(main.path);
  const images = files.filter((f) => f !== main && f.path.startsWith(root) && IMAGE_FILE.test(f.name));
  const big = tooLarge(main.size + images.reduce((sum, f) => sum + f.size, 0));
  if (big) return fail(big);
  const parsed = parseText(main.name, strFromU8(await main.read()));
  if (!parsed.bank) return parsed;
  // Only the images the bank names are read.
  const wanted = new Set(parsed.bank.questions.flatMap((q) => (q.image?.kind === 'file' ? [q.image.path.replace(/^\.\//, '')] : [])));
  const contents: Record<string, Uint8Array> = {};
  for (const image of images) {
    const relative = image.path.slice(root.length);
    if (wanted.has(relative)) contents[relative] = await image.read();
  }
  return resolveImageFiles(parsed, contents);
}

/** Imports what the user picked: one file, or the files of one folder (paths with their folder). */
export async function importPickedFiles(files: PickedFile[]): Promise<BankImport> {
  if (files.length === 0) return fail('No file was chosen.');
  const first = files[0];
  if (files.length === 1 && first && !first.path.includes('/')) return importOneFile(first);
  return importFolder(files);
}

/** The id an imported bank is saved under: the demo bank's id is taken by the built-in bank, so a copy gets another. */
export function importedBankId(bank: QuestionBank, reservedIds: ReadonlySet<string>, takenIds: ReadonlySet<string>): string {
  if (!reservedIds.has(bank.id)) return bank.id;
  let id = `${bank.id}-copy`;
  for (let n = 2; reservedIds.has(id) || takenIds.has(id); n++) id = `${bank.id}-copy-${n}`;
  return id;
}
