/**
 * The question-bank format (README "Practice"), validated with zod. A bank is checked item by item so one bad
 * question is reported with its row and field while every valid one is kept.
 */
import { z } from 'zod';

export const BANK_FORMAT = 'patholens-question-bank';
/** Larger files are refused with a sentence before parsing, so a huge bank never freezes the tab. */
export const MAX_BANK_BYTES = 50 * 1024 * 1024;
export const MAX_QUESTIONS = 5000;
export const OPTION_LETTERS = 'ABCDEFGHIJ';

const rect = z.object({
  x: z.number().finite().nonnegative(),
  y: z.number().finite().nonnegative(),
  width: z.number().finite().positive(),
  height: z.number().finite().positive(),
});

export const questionImageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('data-url'),
    dataUrl: z.string().regex(/^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/]+=*$/, 'must be a base64 PNG, JPEG, WebP or GIF data URL'),
  }),
  /** A file next to bank.json in an exported zip or imported folder (images/…); resolved to a data URL on import. */
  z.object({ kind: z.literal('file'), path: z.string().min(1) }),
  /** A region of a slide in level-0 pixels; `slide` names the file ('demo' is the built-in demo slide). */
  z.object({ kind: z.literal('slide-region'), slide: z.string().min(1), region: rect }),
]);

export const questionSchema = z
  .object({
    id: z.string().trim().min(1, 'is empty'),
    stem: z.string().trim().min(1, 'is empty'),
    options: z.array(z.string().trim().min(1, 'an option is empty')).min(2, 'needs at least 2 options').max(10, 'allows at most 10 options'),
    /** Index of the right option (0 = A). */
    answer: z.number().int().nonnegative(),
    explanation: z.string().default(''),
    tags: z.array(z.string().trim().min(1)).default([]),
    difficulty: z.enum(['easy', 'medium', 'hard']).optional(),
    source: z.string().optional(),
    image: questionImageSchema.optional(),
  })
  .refine((q) => q.answer < q.options.length, { message: 'points past the last option', path: ['answer'] });

export type Question = z.infer<typeof questionSchema>;
export type QuestionImage = z.infer<typeof questionImageSchema>;

export interface QuestionBank {
  format: typeof BANK_FORMAT;
  version: 1;
  id: string;
  title: string;
  description?: string;
  questions: Question[];
}

const bankHeaderSchema = z.object({
  format: z.literal(BANK_FORMAT),
  version: z.literal(1),
  id: z.string().trim().min(1),
  title: z.string().trim().min(1),
  description: z.string().optional(),
  questions: z.array(z.unknown()),
});

/** One rejected item: `row` is the item's 1-based position (JSON) or its line in the file (CSV). */
export interface ItemError {
  row: number;
  id?: string;
  field: string;
  message: string;
}

export interface BankImport {
  bank: QuestionBank | null;
  errors: ItemError[];
  /** A sentence when the whole file is unusable (wrong format, too large); `bank` is null then. */
  fatal?: string;
}

function issuesToErrors(row: number, id: string | undefined, error: z.ZodError): ItemError[] {
  return error.issues.map((issue) => ({
    row,
    id,
    field: issue.path.length ? issue.path.join('.') : '(item)',
    message: issue.message,
  }));
}

/** Validates questions one by one; duplicates of an earlier id are rejected, not merged. */
export function validateQuestions(items: { row: number; value: unknown }[]): { questions: Question[]; errors: ItemError[] } {
  const questions: Question[] = [];
  const errors: ItemError[] = [];
  const seen = new Set<string>();
  for (const { row, value } of items) {
    const rawId = typeof value === 'object' && value && 'id' in value ? String((value as { id: unknown }).id) : undefined;
    const parsed = questionSchema.safeParse(value);
    if (!parsed.success) {
      errors.push(...issuesToErrors(row, rawId, parsed.error));
      continue;
    }
    if (seen.has(parsed.data.id)) {
      errors.push({ row, id: parsed.data.id, field: 'id', message: 'repeats an earlier question id' });
      continue;
    }
    seen.add(parsed.data.id);
    questions.push(parsed.data);
  }
  return { questions, errors };
}

export function tooLarge(bytes: number): string | null {
  if (bytes <= MAX_BANK_BYTES) return null;
  const mb = (bytes / 1024 / 1024).toFixed(1);
  return `This bank is ${mb} MB; PathoLens opens banks up to ${MAX_BANK_BYTES / 1024 / 1024} MB. Split it into smaller banks.`;
}

/** Parses a bank.json text. */
export function parseBankJson(text: string): BankImport {
  const big = tooLarge(new TextEncoder().encode(text).length);
  if (big) return { bank: null, errors: [], fatal: big };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { bank: null, errors: [], fatal: `This file is not valid JSON (${(e as Error).message}). Check it in a text editor.` };
  }
  const header = bankHeaderSchema.safeParse(raw);
  if (!header.success) {
    const first = header.error.issues[0];
    return {
      bank: null,
      errors: [],
      fatal: `This is not a PathoLens question bank: ${first?.path.join('.') || 'the file'} ${first?.message ?? 'is malformed'}. See README "Practice" for the format.`,
    };
  }
  if (header.data.questions.length > MAX_QUESTIONS) {
    return {
      bank: null,
      errors: [],
      fatal: `This bank has ${header.data.questions.length} questions; at most ${MAX_QUESTIONS} open at once. Split it into smaller banks.`,
    };
  }
  const { questions, errors } = validateQuestions(header.data.questions.map((value, i) => ({ row: i + 1, value })));
  const { questions: _q, ...rest } = header.data;
  return { bank: { ...rest, format: BANK_FORMAT, version: 1, questions }, errors };
}

/** "Row 3 (q2): answer points past the last option."; an image file missing from a zip has no row: "Question q2: …". */
export function formatItemError(e: ItemError): string {
  if (e.row <= 0 && e.id) return `Question ${e.id}: ${e.field} ${e.message}.`;
  return `Row ${e.row}${e.id ? ` (${e.id})` : ''}: ${e.field} ${e.message}.`;
}
