/**
 * Expert feedback as training data for the next Patho-R1, in one zip:
 * - sft.jsonl: supervised chain-of-thought, one conversation per line as LLaMA-Factory's ShareGPT multimodal
 *   format and ms-swift read it: `{"messages": [system, user "<image>question", assistant
 *   "<think>…</think><answer>…</answer>"], "images": ["images/ID.png"]}` (dataset_info.json registers it);
 * - sft-messages.jsonl: the same conversations with content parts, the shape the Qwen2.5-VL processor's chat
 *   template, qwen-vl-utils and TRL's vision SFT read: user content `[{"type": "image", "image": "images/ID.png"},
 *   {"type": "text", "text": question}]`, every other turn `[{"type": "text", …}]`, plus `images`;
 * - sft-qwen-vl.jsonl: the official Qwen2.5-VL fine-tuning code's (QwenLM/Qwen2.5-VL qwen-vl-finetune) shape:
 *   `{"image": "images/ID.png", "conversations": [{"from": "human", "value": "<image>\nquestion"}, {"from": "gpt",
 *   "value": target}]}`; it has no system turn (that code reads every turn not from "human" as the assistant's), so
 *   the Patho-R1 system prompt is not in it;
 * - rl.jsonl: RL prompts with their ground truth: `{"id", "images", "problem", "question", "options", "answer",
 *   "answer_index"}`, which the accuracy reward (src/inference/patho-r1-rewards.ts) checks against;
 * - images/ID.png, and manifest.json saying what was left out and why.
 * A verdict of "incorrect" without a corrected answer teaches nothing and is skipped; an incorrect answer whose
 * reasoning was not corrected goes to RL only (its reasoning led to the wrong answer).
 */
import { strToU8, zipSync } from 'fflate';
import { extractMcqChoice } from '../../inference/mcq-answer';
import { PATHO_R1_SYSTEM_PROMPT, questionText } from '../../inference/patho-r1-prompt';
import type { FeedbackRecord } from './feedback-record';

export interface SftLine {
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  images: string[];
}

export type ContentPart = { type: 'image'; image: string } | { type: 'text'; text: string };

/** An SFT line with content parts (Qwen2.5-VL processor / qwen-vl-utils / TRL). */
export interface SftMessagesLine {
  messages: { role: 'system' | 'user' | 'assistant'; content: ContentPart[] }[];
  images: string[];
}

/** An SFT line in qwen-vl-finetune's shape. */
export interface SftQwenVlLine {
  image: string;
  conversations: { from: 'human' | 'gpt'; value: string }[];
}

export interface RlLine {
  id: string;
  images: string[];
  /** The user turn as the model sees it (`<image>` then the question and its "A. …" lines). */
  problem: string;
  question: string;
  options: string[];
  /** The ground truth: the chosen option's text for an MCQ, else the answer. */
  answer: string;
  /** MCQ only: the option index of the ground truth (null for open questions). */
  answer_index: number | null;
}

export interface FeedbackExport {
  sft: SftLine[];
  rl: RlLine[];
  skipped: { id: string; from: 'sft' | 'rl' | 'both'; reason: string }[];
}

/** A file name that is safe in any zip and file system for the record's image. */
export function imageFileName(id: string): string {
  return `images/${id.replace(/[^A-Za-z0-9._-]+/g, '_')}.png`;
}

/**
 * One image file per record: imageFileName, with "-2", "-3"… where two ids would share a name (ids that differ only
 * in characters the name replaces, or only in case, which Windows and macOS file systems do not tell apart).
 */
export function imageFileNames(records: readonly Pick<FeedbackRecord, 'id'>[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const { id } of records) {
    if (names.has(id)) continue;
    const base = imageFileName(id).slice(0, -'.png'.length);
    let name = `${base}.png`;
    for (let suffix = 2; taken.has(name.toLowerCase()); suffix++) name = `${base}-${suffix}.png`;
    taken.add(name.toLowerCase());
    names.set(id, name);
  }
  return names;
}

/** The assistant target Patho-R1 is trained to produce. */
export function targetReply(reasoning: string, answer: string): string {
  return `<think>${reasoning.trim()}</think><answer>${answer.trim()}</answer>`;
}

function userTurn(record: FeedbackRecord): string {
  return `<image>${questionText({ question: record.question, options: record.options.length > 0 ? record.options : undefined })}`;
}

/** The ground truth of a record: for an MCQ, the one option its answer names (else none). */
function groundTruth(record: FeedbackRecord): { answer: string; index: number | null } | string {
  const answer = record.answer.trim();
  if (!answer) return 'the answer is empty';
  if (record.options.length === 0) return { answer, index: null };
  const choice = extractMcqChoice(`<answer>${answer}</answer>`, record.options);
  if (choice.status !== 'chosen') return `the answer names ${choice.status === 'ambiguous' ? 'several options' : 'no option'}`;
  return { answer: record.options[choice.index] as string, index: choice.index };
}

export function buildFeedbackExport(records: readonly FeedbackRecord[]): FeedbackExport {
  const result: FeedbackExport = { sft: [], rl: [], skipped: [] };
  const names = imageFileNames(records);
  for (const record of records) {
    const images = [names.get(record.id) as string];
    const answerCorrected = record.answer.trim() !== record.originalAnswer.trim();
    if (record.verdict === 'incorrect' && !answerCorrected) {
      result.skipped.push({ id: record.id, from: 'both', reason: 'marked incorrect without a corrected answer' });
      continue;
    }
    const reasoningCorrected = record.reasoning.trim() !== record.originalReasoning.trim();
    if (record.verdict === 'incorrect' && !reasoningCorrected) {
      result.skipped.push({ id: record.id, from: 'sft', reason: 'the answer was corrected but not the reasoning that led to it' });
    } else if (!record.reasoning.trim()) {
      result.skipped.push({ id: record.id, from: 'sft', reason: 'no reasoning to train on' });
    } else {
      result.sft.push({
        messages: [
          { role: 'system', content: PATHO_R1_SYSTEM_PROMPT },
          { role: 'user', content: userTurn(record) },
          { role: 'assistant', content: targetReply(record.reasoning, record.answer) },
        ],
        images,
      });
    }
    const truth = groundTruth(record);
    if (typeof truth === 'string') {
      result.skipped.push({ id: record.id, from: 'rl', reason: truth });
      continue;
    }
    result.rl.push({
      id: record.id,
      images,
      problem: userTurn(record),
      question: record.question,
      options: record.options,
      answer: truth.answer,
      answer_index: truth.index,
    });
  }
  return result;
}

const IMAGE_MARK = '<image>';

/** An SFT line with content parts: the `<image>` mark of the user turn becomes an image part naming the file. */
export function toMessagesLine(line: SftLine): SftMessagesLine {
  const images = [...line.images];
  return {
    messages: line.messages.map(({ role, content }) => {
      if (role !== 'user') return { role, content: [{ type: 'text', text: content }] };
      const parts: ContentPart[] = [];
      content.split(IMAGE_MARK).forEach((text, index) => {
        if (index > 0) parts.push({ type: 'image', image: images[index - 1] as string });
        if (text.trim()) parts.push({ type: 'text', text: text.trim() });
      });
      return { role, content: parts };
    }),
    images,
  };
}

/** An SFT line in qwen-vl-finetune's shape (one image; no system turn, which that code would read as the assistant's). */
export function toQwenVlLine(line: SftLine): SftQwenVlLine {
  const conversations: SftQwenVlLine['conversations'] = [];
  for (const { role, content } of line.messages) {
    if (role === 'user') conversations.push({ from: 'human', value: content.replace(IMAGE_MARK, `${IMAGE_MARK}\n`) });
    else if (role === 'assistant') conversations.push({ from: 'gpt', value: content });
  }
  return { image: line.images[0] as string, conversations };
}

/** LLaMA-Factory's dataset_info.json entry for sft.jsonl (ShareGPT with role/content tags and images). */
export const LLAMA_FACTORY_DATASET_INFO = {
  patholens_feedback: {
    file_name: 'sft.jsonl',
    formatting: 'sharegpt',
    columns: { messages: 'messages', images: 'images' },
    tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' },
  },
};

const jsonl = (lines: readonly unknown[]) => lines.map((line) => `${JSON.stringify(line)}\n`).join('');

/** Every file of the export, by path inside the folder (images only for records that were exported). */
export function feedbackExportFiles(records: readonly FeedbackRecord[], exportedAt: Date): Record<string, Uint8Array> {
  const built = buildFeedbackExport(records);
  const used = new Set([...built.sft, ...built.rl].flatMap((line) => line.images));
  const files: Record<string, Uint8Array> = {
    'sft.jsonl': strToU8(jsonl(built.sft)),
    'sft-messages.jsonl': strToU8(jsonl(built.sft.map(toMessagesLine))),
    'sft-qwen-vl.jsonl': strToU8(jsonl(built.sft.map(toQwenVlLine))),
    'rl.jsonl': strToU8(jsonl(built.rl)),
    'dataset_info.json': strToU8(`${JSON.stringify(LLAMA_FACTORY_DATASET_INFO, null, 2)}\n`),
    'manifest.json': strToU8(
      `${JSON.stringify({ exportedAt: exportedAt.toISOString(), records: records.length, sft: built.sft.length, rl: built.rl.length, skipped: built.skipped }, null, 2)}\n`,
    ),
  };
  const names = imageFileNames(records);
  for (const record of records) {
    const name = names.get(record.id) as string;
    if (used.has(name)) files[name] = record.imagePng;
  }
  return files;
}

/** The export as one zip (a folder named `folder` inside), for the browser's download. */
export function feedbackExportZip(records: readonly FeedbackRecord[], exportedAt: Date, folder = 'patholens-feedback'): Uint8Array {
  const files = feedbackExportFiles(records, exportedAt);
  // PNGs are already compressed: stored, not deflated again.
  const entries = Object.fromEntries(
    Object.entries(files).map(([name, bytes]) => [`${folder}/${name}`, [bytes, { level: name.endsWith('.png') ? 0 : 6 }] as const]),
  );
  return zipSync(entries as Parameters<typeof zipSync>[0], { mtime: exportedAt });
}
