/**
 * The prompts every runner of the reasoner benchmark answers: a first question about a region image, and a
 * follow-up on the same region after the model's own reply (image in the first turn only).
 */
import sharp from 'sharp';
import { buildPathoR1Messages, type ChatMessage } from '../src/inference/patho-r1-prompt';
import type { RgbaImage } from '../src/slide/slide-source';

/** A deterministic H&E-like region (pink stroma, purple nuclei), 448 x 336 px. */
export function benchRegion(): RgbaImage {
  const width = 448;
  const height = 336;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const nucleus = Math.sin(x / 7) * Math.cos(y / 9) + Math.sin((x + y) / 23) > 1.2;
      data.set(nucleus ? [95, 55, 150, 255] : [232 - (x % 13), 170 + (y % 17), 205, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

export async function writeRegionPng(file: string): Promise<void> {
  const region = benchRegion();
  await sharp(Buffer.from(region.data.buffer), { raw: { width: region.width, height: region.height, channels: 4 } })
    .png()
    .toFile(file);
}

export const FIRST_QUESTION = 'What is the most likely diagnosis?';
export const FOLLOW_UP_QUESTION = 'Grade this tumour';

/** The first question about the region. */
export function firstQuestionMessages(): ChatMessage[] {
  return buildPathoR1Messages([{ question: FIRST_QUESTION, withImage: true }]);
}

/** The follow-up on the same region, after the model's own first reply. */
export function followUpMessages(firstReply: string): ChatMessage[] {
  return buildPathoR1Messages([
    { question: FIRST_QUESTION, withImage: true, reply: firstReply },
    { question: FOLLOW_UP_QUESTION, withImage: false },
  ]);
}

/** How many conversations each runner holds; it reports the median of each number. */
export const REPEATS = 3;

/** One conversation's numbers: the first answer and the follow-up. */
export interface ConversationStats {
  first: CaseStats;
  followUp: CaseStats;
}

export function medianConversation(samples: ConversationStats[]): CaseStats[] {
  return [medianStats(samples.map((sample) => sample.first)), medianStats(samples.map((sample) => sample.followUp))];
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface CaseStats {
  timeToFirstTokenMs: number | null;
  tokensPerSecond: number | null;
  newTokens: number;
  /** Where the time went (PathoLens runners only): the runtime's session runs. */
  phases?: { imageMs: number; embedMs: number; prefillMs: number; decodeMs: number; decodeRuns: number };
}

/** Per-number medians over repeated answers of one case. */
export function medianStats(samples: CaseStats[]): CaseStats {
  return {
    timeToFirstTokenMs: median(samples.map((sample) => sample.timeToFirstTokenMs).filter((value): value is number => value !== null)),
    tokensPerSecond: median(samples.map((sample) => sample.tokensPerSecond).filter((value): value is number => value !== null)),
    newTokens: samples[0]?.newTokens ?? 0,
    ...(samples.every((sample) => sample.phases) && samples.length > 0 ? { phases: medianPhases(samples.map((sample) => sample.phases!)) } : {}),
  };
}

function medianPhases(samples: NonNullable<CaseStats['phases']>[]): NonNullable<CaseStats['phases']> {
  const of = (key: keyof NonNullable<CaseStats['phases']>) => median(samples.map((sample) => sample[key])) ?? 0;
  return { imageMs: of('imageMs'), embedMs: of('embedMs'), prefillMs: of('prefillMs'), decodeMs: of('decodeMs'), decodeRuns: of('decodeRuns') };
}
