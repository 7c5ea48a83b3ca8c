/**
 * The prompts every runner of the reasoner benchmark answers: a first question about a region image, and a
 * follow-up on the same region (the conversation so far, image in the first turn).
 */
import sharp from 'sharp';
import { buildPathoR1Messages, type ChatMessage } from '../src/reasoner/prompt';
import type { RgbaImage } from '../src/slide/slide-source';

export interface ReasonerCase {
  name: 'first question' | 'follow-up';
  messages: ChatMessage[];
}

/** A deterministic H&E-like region (pink stroma, purple nuclei), 448 x 336 px. */
export function benchRegion(): RgbaImage {
  const width = 448;
  const height = 336;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const nucleus = (Math.sin(x / 7) * Math.cos(y / 9) + Math.sin((x + y) / 23)) > 1.2;
      const offset = (y * width + x) * 4;
      data.set(nucleus ? [95, 55, 150, 255] : [232 - (x % 13), 170 + (y % 17), 205, 255], offset);
    }
  }
  return { width, height, data };
}

export async function writeRegionPng(file: string): Promise<void> {
  const region = benchRegion();
  await sharp(Buffer.from(region.data.buffer), { raw: { width: region.width, height: region.height, channels: 4 } }).png().toFile(file);
}

export function reasonerCases(): ReasonerCase[] {
  const first = { question: 'What is the most likely diagnosis?', withImage: true };
  return [
    { name: 'first question', messages: buildPathoR1Messages([first]) },
    {
      name: 'follow-up',
      messages: buildPathoR1Messages([
        { ...first, reply: '<think> Crowded atypical glands infiltrate the stroma. </think><answer> Adenocarcinoma </answer>' },
        { question: 'Grade this tumour', withImage: false },
      ]),
    },
  ];
}

/** How many times each case is answered; runners report the median of each number. */
export const REPEATS = 3;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface CaseStats {
  timeToFirstTokenMs: number | null;
  tokensPerSecond: number | null;
  newTokens: number;
}

/** Per-number medians over repeated answers of one case. */
export function medianStats(samples: CaseStats[]): CaseStats {
  return {
    timeToFirstTokenMs: median(samples.map((sample) => sample.timeToFirstTokenMs).filter((value): value is number => value !== null)),
    tokensPerSecond: median(samples.map((sample) => sample.tokensPerSecond).filter((value): value is number => value !== null)),
    newTokens: samples[0]?.newTokens ?? 0,
  };
}
