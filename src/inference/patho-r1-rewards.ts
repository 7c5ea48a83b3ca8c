/**
 * Patho-R1's reinforcement-learning rewards as plain functions (the paper's GRPO/DAPO stage): a format reward
 * (exactly one `<think>` block, then exactly one `<answer>` block, nothing else around them) and an accuracy
 * reward (the answer matches the ground truth). The evaluation harness reports the format reward as format
 * compliance; expert feedback exported for RL is scored with these same functions.
 */
import { extractMcqChoice, isCorrectChoice } from './mcq-answer';

const TAG = /<\/?(?:think|answer)>/g;
/** The whole reply: optional space, one think block, optional space, one answer block, optional space. */
const WELL_FORMED = /^\s*<think>([\s\S]*)<\/think>\s*<answer>([\s\S]*)<\/answer>\s*$/;

/** 1 when the reply is exactly `<think>…</think><answer>…</answer>` (each tag once, in that order), else 0. */
export function formatReward(reply: string): 0 | 1 {
  const tags = reply.match(TAG) ?? [];
  if (tags.join('') !== '<think></think><answer></answer>') return 0;
  return WELL_FORMED.test(reply) ? 1 : 0;
}

/** The text of the reply's answer: inside `<answer>` when present, else the reply without any think block. */
export function answerText(reply: string): string {
  const tagged = /<answer>([\s\S]*?)(?:<\/answer>|$)/.exec(reply);
  if (tagged) return (tagged[1] ?? '').trim();
  return reply.replace(/<think>[\s\S]*?(?:<\/think>|$)/g, '').trim();
}

/** Lower case, no punctuation, no articles, single spaces (SQuAD's answer normalisation). */
export function normalizeAnswer(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\b(?:a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What an answer is judged against: an MCQ key or a free-text answer. */
export type GroundTruth = { kind: 'mcq'; options: readonly string[]; answerIndex: number } | { kind: 'text'; answer: string };

/** 1 when the reply's answer is right: the MCQ option read by extractMcqChoice, or the normalised text equal. */
export function accuracyReward(reply: string, truth: GroundTruth): 0 | 1 {
  if (truth.kind === 'mcq') return isCorrectChoice(extractMcqChoice(reply, truth.options), truth.answerIndex) ? 1 : 0;
  const expected = normalizeAnswer(truth.answer);
  return expected.length > 0 && normalizeAnswer(answerText(reply)) === expected ? 1 : 0;
}
