/**
 * Patho-R1's prompt format (from its public README): a system prompt that asks for
 * `<think>…</think><answer>…</answer>`, then user turns with the image first and the question after, MCQ
 * options as "A. …" lines. Messages use the Qwen2.5-VL chat-template shape that transformers.js's processor
 * applies (`apply_chat_template`), so the tokenizer's own template builds the final text.
 */

export const PATHO_R1_SYSTEM_PROMPT =
  'You are a pathology expert, your task is to answer question step by step. Use the following format:' +
  '<think> Your step-by-step reasoning </think><answer> Your final answer </answer>';

/** Chain-of-Draft (Xu et al., 2025): the same format with terse reasoning steps, for short, fast answers. */
export const CHAIN_OF_DRAFT_INSTRUCTION = 'Think step by step, but only keep a minimum draft for each thinking step, with 5 words at most.';

export const PATHO_R1_MAX_NEW_TOKENS = 2048;

export const QUESTION_PRESETS = ['Describe the histological features', 'What is the most likely diagnosis?', 'Grade this tumour'] as const;

export type ChatContent = { type: 'image' } | { type: 'text'; text: string };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: ChatContent[];
}

export interface QuestionTurn {
  question: string;
  /** Multiple-choice options, lettered A, B, C… in the order given. */
  options?: readonly string[];
  /** Whether this turn carries an image (the ROI); follow-ups on the same ROI do not repeat it. */
  withImage: boolean;
  /**
   * Several numbered regions instead of one unnamed image: the turn shows "Region 1: <image>", "Region 2: <image>"…
   * before the question, so the model's numbering is the one the user sees on the slide. Needs `withImage`.
   */
  regions?: number;
}

export interface ConversationTurn extends QuestionTurn {
  /** The model's full reply to this turn (with its tags), absent for the turn being asked. */
  reply?: string;
}

export function optionLetter(index: number): string {
  if (index < 0 || index >= 26) throw new RangeError(`An MCQ can have at most 26 options, not ${index + 1}.`);
  return String.fromCharCode(65 + index);
}

/** The user text: the question, then one "A. option" line per option. */
export function questionText({ question, options }: Pick<QuestionTurn, 'question' | 'options'>): string {
  const trimmed = question.trim();
  if (!trimmed) throw new Error('The question is empty: type a question or pick a preset.');
  if (!options || options.length === 0) return trimmed;
  const lines = options.map((option, index) => `${optionLetter(index)}. ${option.trim()}`);
  return [trimmed, ...lines].join('\n');
}

export interface PromptOptions {
  chainOfDraft?: boolean;
}

export function systemPrompt({ chainOfDraft = false }: PromptOptions = {}): string {
  return chainOfDraft ? `${PATHO_R1_SYSTEM_PROMPT} ${CHAIN_OF_DRAFT_INSTRUCTION}` : PATHO_R1_SYSTEM_PROMPT;
}

export function regionLabel(index: number): string {
  return `Region ${index + 1}`;
}

/** The image slots of a turn: one unnamed image, or one labelled slot per region with the question on its own line. */
function turnContent(turn: QuestionTurn): ChatContent[] {
  const text = questionText(turn);
  if (!turn.withImage) return [{ type: 'text', text }];
  const regions = turn.regions;
  if (regions === undefined) return [{ type: 'image' }, { type: 'text', text }];
  if (!(Number.isInteger(regions) && regions >= 1)) throw new RangeError(`A turn shows at least one region, not ${regions}.`);
  const content: ChatContent[] = [];
  for (let index = 0; index < regions; index++) {
    content.push({ type: 'text', text: `${index === 0 ? '' : '\n'}${regionLabel(index)}: ` }, { type: 'image' });
  }
  content.push({ type: 'text', text: `\n${text}` });
  return content;
}

/** The whole conversation as chat messages; the last turn is the one being asked (it has no reply yet). */
export function buildPathoR1Messages(turns: readonly ConversationTurn[], options: PromptOptions = {}): ChatMessage[] {
  if (turns.length === 0) throw new Error('A conversation needs at least one question.');
  const messages: ChatMessage[] = [{ role: 'system', content: [{ type: 'text', text: systemPrompt(options) }] }];
  turns.forEach((turn, index) => {
    messages.push({ role: 'user', content: turnContent(turn) });
    const isLast = index === turns.length - 1;
    if (!isLast) {
      if (turn.reply === undefined) throw new Error(`Turn ${index + 1} has no reply: only the last turn may be unanswered.`);
      messages.push({ role: 'assistant', content: [{ type: 'text', text: turn.reply }] });
    }
  });
  return messages;
}
