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
 *
 * A follow-up (a second or later question of an Ask conversation) is exported with the conversation before it, as
 * the model was given it (buildPathoR1Messages: the image with the first question only, each earlier reply as the
 * model wrote it), and the reviewed reply as the last assistant turn, the target. An "Ask the slide" answer has one
 * image per region, in the prompt's order, each after its "Region N: " label. The earlier assistant turns are the
 * model's own, unreviewed: train on the last turn only (LLaMA-Factory `mask_history: true`; TRL and qwen-vl-finetune
 * train on every assistant turn unless told otherwise). RL lines carry the whole prompt as `prompt` (chat messages
 * without the target), since a follow-up such as "and the grade?" means nothing without the turns before it.
 */
import { strToU8, zipSync } from 'fflate';
import { extractMcqChoice } from '../../inference/mcq-answer';
import { buildPathoR1Messages, type ChatMessage, type ConversationTurn } from '../../inference/patho-r1-prompt';
import type { FeedbackRecord } from './feedback-record';

const IMAGE_MARK = '<image>';

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

/** An SFT line in qwen-vl-finetune's shape (`image`: one path, or a list when the prompt showed several). */
export interface SftQwenVlLine {
  image: string | string[];
  conversations: { from: 'human' | 'gpt'; value: string }[];
}

export interface RlLine {
  id: string;
  images: string[];
  /** The last user turn as the model sees it (`<image>` then the question and its "A. …" lines; for a follow-up, without an image). */
  problem: string;
  /** The whole prompt as chat messages (system, earlier turns, the question), `<image>` marks as in sft.jsonl. */
  prompt: SftLine['messages'];
  /** Number of questions in the prompt (1 for a first question; more for a follow-up). */
  turns: number;
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
 * The image files of each record, in the order its prompt shows them: imageFileName for the first, `_region2`,
 * `_region3`… for an "Ask the slide" answer's further regions; "-2", "-3"… where two would share a name (ids that
 * differ only in characters the name replaces, or only in case, which Windows and macOS file systems do not tell apart).
 */
export function recordImageFiles(records: readonly Pick<FeedbackRecord, 'id' | 'moreImagesPng'>[]): Map<string, string[]> {
  const names = new Map<string, string[]>();
  const taken = new Set<string>();
  const claim = (base: string) => {
    let name = `${base}.png`;
    for (let suffix = 2; taken.has(name.toLowerCase()); suffix++) name = `${base}-${suffix}.png`;
    taken.add(name.toLowerCase());
    return name;
  };
  for (const { id, moreImagesPng } of records) {
    if (names.has(id)) continue;
    const base = imageFileName(id).slice(0, -'.png'.length);
    names.set(id, [claim(base), ...(moreImagesPng ?? []).map((_, index) => claim(`${base}_region${index + 2}`))]);
  }
  return names;
}

/** The first image file of each record (see recordImageFiles). */
export function imageFileNames(records: readonly Pick<FeedbackRecord, 'id' | 'moreImagesPng'>[]): Map<string, string> {
  return new Map([...recordImageFiles(records)].map(([id, files]) => [id, files[0] as string]));
}

/** The assistant target Patho-R1 is trained to produce. */
export function targetReply(reasoning: string, answer: string): string {
  return `<think>${reasoning.trim()}</think><answer>${answer.trim()}</answer>`;
}

/** The conversation as the model was given it: earlier turns (image with the first), then the reviewed question. */
function promptTurns(record: FeedbackRecord): ConversationTurn[] {
  const earlier = record.earlierTurns ?? [];
  const regions = record.source === 'ask-slide' ? 1 + (record.moreImagesPng?.length ?? 0) : undefined;
  const imageTurn = (first: boolean) => ({ withImage: first, ...(first && regions !== undefined && { regions }) });
  return [
    ...earlier.map((turn, index) => ({ question: turn.question, options: turn.options, reply: turn.reply, ...imageTurn(index === 0) })),
    { question: record.question, options: record.options, ...imageTurn(earlier.length === 0) },
  ];
}

/** A chat message as text, each image as `<image>` where it stands (LLaMA-Factory and ms-swift's placeholder). */
function messageText(message: ChatMessage): string {
  return message.content.map((part) => (part.type === 'image' ? IMAGE_MARK : part.text)).join('');
}

/** The prompt in sft.jsonl's shape, or why the record cannot be one. */
function promptMessages(record: FeedbackRecord): SftLine['messages'] | string {
  try {
    return buildPathoR1Messages(promptTurns(record)).map((message) => ({ role: message.role, content: messageText(message) }));
  } catch (error) {
    return `its prompt cannot be built (${error instanceof Error ? error.message.replace(/\.$/, '') : String(error)})`;
  }
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
  const names = recordImageFiles(records);
  for (const record of records) {
    const images = names.get(record.id) as string[];
    const prompt = promptMessages(record);
    if (typeof prompt === 'string') {
      result.skipped.push({ id: record.id, from: 'both', reason: prompt });
      continue;
    }
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
      result.sft.push({ messages: [...prompt, { role: 'assistant', content: targetReply(record.reasoning, record.answer) }], images });
    }
    const truth = groundTruth(record);
    if (typeof truth === 'string') {
      result.skipped.push({ id: record.id, from: 'rl', reason: truth });
      continue;
    }
    result.rl.push({
      id: record.id,
      images,
      problem: prompt.at(-1)!.content,
      prompt,
      turns: prompt.filter((message) => message.role === 'user').length,
      question: record.question,
      options: record.options,
      answer: truth.answer,
      answer_index: truth.index,
    });
  }
  return result;
}

/**
 * An SFT line with content parts: each `<image>` mark of a user turn becomes an image part naming its file (the
 * line's images in order, across turns); the text around it is kept as it is ("Region 1: ", "\nRegion 2: "…), so
 * the chat template renders the prompt the model was given.
 */
export function toMessagesLine(line: SftLine): SftMessagesLine {
  const images = [...line.images];
  let next = 0;
  return {
    messages: line.messages.map(({ role, content }) => {
      if (role !== 'user') return { role, content: [{ type: 'text', text: content }] };
      const parts: ContentPart[] = [];
      content.split(IMAGE_MARK).forEach((text, index) => {
        if (index > 0) parts.push({ type: 'image', image: images[next++] as string });
        if (text) parts.push({ type: 'text', text });
      });
      return { role, content: parts };
    }),
    images,
  };
}

/**
 * An SFT line in qwen-vl-finetune's shape: human/gpt turns (no system turn, which that code would read as the
 * assistant's), `image` one path or the list when the prompt showed several (it fills the `<image>` marks in order).
 */
export function toQwenVlLine(line: SftLine): SftQwenVlLine {
  const conversations: SftQwenVlLine['conversations'] = [];
  for (const { role, content } of line.messages) {
    if (role === 'user') conversations.push({ from: 'human', value: content.replace(/^<image>(?!\n)/, `${IMAGE_MARK}\n`) });
    else if (role === 'assistant') conversations.push({ from: 'gpt', value: content });
  }
  return { image: line.images.length === 1 ? (line.images[0] as string) : [...line.images], conversations };
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
      `${JSON.stringify(
        {
          exportedAt: exportedAt.toISOString(),
          records: records.length,
          sft: built.sft.length,
          rl: built.rl.length,
          followUps: built.rl.filter((line) => line.turns > 1).length,
          ...(built.sft.some((line) => line.messages.filter((message) => message.role === 'assistant').length > 1) && {
            note: 'Some SFT lines are follow-ups: their earlier assistant turns are the model’s own, unreviewed replies. Train on the last assistant turn only (LLaMA-Factory: mask_history: true).',
          }),
          skipped: built.skipped,
        },
        null,
        2,
      )}\n`,
    ),
  };
  const names = recordImageFiles(records);
  for (const record of records) {
    const pngs = [record.imagePng, ...(record.moreImagesPng ?? [])];
    (names.get(record.id) as string[]).forEach((name, index) => {
      if (used.has(name)) files[name] = pngs[index] as Uint8Array;
    });
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
