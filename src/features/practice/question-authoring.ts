/**
 * Authoring a question on a slide region (Practice → Banks): the teacher's form checked with the bank schema
 * (questionSchema) into a problem per field, the region in level-0 pixels, a readable id, and the prompt asking
 * Patho-R1 to draft an explanation of the marked answer. Pure: no React, no DOM, no store.
 */
import type { ChatMessage } from '../../inference/patho-r1-prompt';
import { optionLetter, questionText, systemPrompt } from '../../inference/patho-r1-prompt';
import { OPTION_LETTERS, questionSchema, type Question, type QuestionImage } from './bank-schema';
import { DEMO_SLIDE } from './demo-bank';
import { slideBaseName, type OpenSlideInfo } from './practice-queue';

export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = OPTION_LETTERS.length;

export type Difficulty = NonNullable<Question['difficulty']>;

/** The form as the teacher fills it in. */
export interface QuestionForm {
  stem: string;
  options: string[];
  /** Index of the option marked right, or null when none is marked yet. */
  answer: number | null;
  explanation: string;
  /** Tags as typed: separated by commas or semicolons. */
  tags: string;
  difficulty: Difficulty | '';
  source: string;
}

export type FormField = 'stem' | 'options' | 'answer' | 'explanation' | 'tags' | 'difficulty' | 'source' | 'image';
export type FormProblems = Partial<Record<FormField, string>>;

export const EMPTY_FORM: QuestionForm = { stem: '', options: ['', '', '', ''], answer: null, explanation: '', tags: '', difficulty: '', source: '' };

export function splitTags(text: string): string[] {
  const tags = text
    .split(/[,;]/)
    .map((tag) => tag.trim())
    .filter(Boolean);
  return [...new Set(tags)];
}

/** A region's bounds as whole level-0 pixels inside the slide (the schema wants x, y >= 0 and a positive size). */
export function questionRegion(
  bounds: { x: number; y: number; width: number; height: number },
  slide: { width: number; height: number },
): { x: number; y: number; width: number; height: number } | null {
  const left = Math.max(0, Math.floor(bounds.x));
  const top = Math.max(0, Math.floor(bounds.y));
  const right = Math.min(slide.width, Math.ceil(bounds.x + bounds.width));
  const bottom = Math.min(slide.height, Math.ceil(bounds.y + bounds.height));
  if (right - left < 1 || bottom - top < 1) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The name a question gives its slide: 'demo' for the built-in demo slide, else the slide's file name. */
export function questionSlideName(open: OpenSlideInfo): string {
  return open.isDemo ? DEMO_SLIDE : slideBaseName(open.name);
}

/** A readable id from the stem's first words, unique among `taken` ("What is this?" -> "what-is-this"). */
export function newQuestionId(stem: string, taken: ReadonlySet<string>): string {
  const words = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, 6);
  const base = words.join('-') || 'question';
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}-${n}`)) n++;
  return `${base}-${n}`;
}

const FIELD_LABEL: Record<FormField, string> = {
  stem: 'The question',
  options: 'The question',
  answer: 'The right answer',
  explanation: 'The explanation',
  tags: 'A tag',
  difficulty: 'The difficulty',
  source: 'The source',
  image: 'The image',
};

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * Checks the form with the bank's own schema and gives either the question or one problem per field (the first
 * one found there). `image` is null when no region is selected; the id is made by the caller.
 */
export function checkQuestionForm(
  form: QuestionForm,
  id: string,
  image: QuestionImage | null,
): { ok: true; question: Question } | { ok: false; problems: FormProblems } {
  const problems: FormProblems = {};
  if (!image) problems.image = 'Select or draw a region on the slide first: the question is asked about it.';
  if (form.answer === null) problems.answer = 'Mark the right answer (the round button next to it).';
  const candidate = {
    id,
    stem: form.stem,
    options: form.options,
    answer: form.answer ?? 0,
    explanation: form.explanation.trim(),
    tags: splitTags(form.tags),
    ...(form.difficulty ? { difficulty: form.difficulty } : {}),
    ...(form.source.trim() ? { source: form.source.trim() } : {}),
    ...(image ? { image } : {}),
  };
  const parsed = questionSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, index] = issue.path;
      const field: FormField = head === 'id' ? 'stem' : ((head as FormField | undefined) ?? 'stem');
      if (problems[field]) continue;
      if (field === 'options' && typeof index === 'number') problems.options = sentence(`Option ${optionLetter(index)} is empty: write it or remove it`);
      else problems[field] = sentence(`${FIELD_LABEL[field]} ${issue.message}`);
    }
  }
  if (Object.keys(problems).length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, question: parsed.data };
}

/**
 * Asks Patho-R1 to explain the marked answer, in its trained format: its system prompt, the image, the stem with
 * "A. …" option lines, then which option is right and what to explain.
 */
export function draftExplanationMessages(question: Pick<Question, 'stem' | 'options' | 'answer'>): ChatMessage[] {
  const right = `${optionLetter(question.answer)}. ${question.options[question.answer]?.trim() ?? ''}`;
  const text = [
    questionText({ question: question.stem, options: question.options }),
    `The right answer is ${right}`,
    'Explain, for a pathology trainee, which features in this image show that this answer is right and why each other option is wrong.',
  ].join('\n');
  return [
    { role: 'system', content: [{ type: 'text', text: systemPrompt() }] },
    { role: 'user', content: [{ type: 'image' }, { type: 'text', text }] },
  ];
}

/** The draft the teacher edits: Patho-R1's reasoning, then its answer, as plain paragraphs. */
export function draftExplanationText(reasoning: string | undefined, answer: string | undefined): string {
  return [reasoning?.trim(), answer?.trim()].filter(Boolean).join('\n\n');
}
