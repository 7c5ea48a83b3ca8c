/**
 * CSV banks (papaparse). Columns: id, stem, option_a … option_j, answer (letter), explanation, tags (separated by
 * ';'), difficulty, source, image (data URL or images/… path), slide, x, y, width, height. Rows are reported by
 * their line in the file (the header is line 1).
 */
import Papa from 'papaparse';
import { BANK_FORMAT, MAX_QUESTIONS, OPTION_LETTERS, tooLarge, validateQuestions, type BankImport, type ItemError } from './bank-schema';

const OPTION_COLUMNS = [...OPTION_LETTERS].map((l) => `option_${l.toLowerCase()}`);

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  return Number(v);
}

/** Turns one CSV row into a question candidate; the schema judges it. */
function rowToCandidate(row: Record<string, string>): { value: unknown; error?: Omit<ItemError, 'row'> } {
  const options = OPTION_COLUMNS.map((c) => (row[c] ?? '').trim()).filter((o) => o !== '');
  const letter = (row.answer ?? '').trim().toUpperCase();
  const answer = letter.length === 1 ? OPTION_LETTERS.indexOf(letter) : -1;
  if (answer < 0) return { value: null, error: { id: row.id, field: 'answer', message: `"${row.answer ?? ''}" is not an option letter A-J` } };
  const image = (row.image ?? '').trim();
  const slide = (row.slide ?? '').trim();
  let imageValue: unknown;
  if (slide) {
    imageValue = {
      kind: 'slide-region',
      slide,
      region: { x: num(row.x), y: num(row.y), width: num(row.width), height: num(row.height) },
    };
  } else if (image.startsWith('data:')) imageValue = { kind: 'data-url', dataUrl: image };
  else if (image) imageValue = { kind: 'file', path: image };
  const tags = (row.tags ?? '')
    .split(';')
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    value: {
      id: row.id,
      stem: row.stem,
      options,
      answer,
      explanation: row.explanation ?? '',
      tags,
      difficulty: row.difficulty?.trim() || undefined,
      source: row.source?.trim() || undefined,
      image: imageValue,
    },
  };
}

export function parseBankCsv(text: string, meta: { id: string; title: string }): BankImport {
  const big = tooLarge(new TextEncoder().encode(text).length);
  if (big) return { bank: null, errors: [], fatal: big };
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim().toLowerCase() });
  const fields = parsed.meta.fields ?? [];
  const missing = ['id', 'stem', 'answer', 'option_a', 'option_b'].filter((c) => !fields.includes(c));
  if (missing.length) {
    return { bank: null, errors: [], fatal: `This CSV lacks the column(s) ${missing.join(', ')}. See README "Practice" for the columns.` };
  }
  if (parsed.data.length > MAX_QUESTIONS) {
    return {
      bank: null,
      errors: [],
      fatal: `This bank has ${parsed.data.length} questions; at most ${MAX_QUESTIONS} open at once. Split it into smaller banks.`,
    };
  }
  const errors: ItemError[] = [];
  const badRows = new Set<number>();
  for (const e of parsed.errors) {
    if (e.row === undefined) continue;
    badRows.add(e.row);
    errors.push({ row: e.row + 2, field: '(row)', message: e.message });
  }
  const items: { row: number; value: unknown }[] = [];
  parsed.data.forEach((row, i) => {
    if (badRows.has(i)) return;
    const { value, error } = rowToCandidate(row);
    if (error) errors.push({ row: i + 2, ...error });
    else items.push({ row: i + 2, value });
  });
  const checked = validateQuestions(items);
  errors.push(...checked.errors);
  errors.sort((a, b) => a.row - b.row);
  return { bank: { format: BANK_FORMAT, version: 1, id: meta.id, title: meta.title, questions: checked.questions }, errors };
}
