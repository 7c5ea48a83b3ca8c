/**
 * How many regions, read at which magnification, fit in one Patho-R1 prompt. Qwen2.5-VL turns an image into one
 * token per 28 x 28 pixels after its processor resizes it (to multiples of 28, within min/max pixels), and each
 * image slot adds its label and two vision markers; the question's text counts too. When the regions do not fit
 * at the wanted magnification, the plan lowers it a step at a time (down to `minMagnification`), and past that
 * shows fewer, larger regions: the two regions whose union is smallest are merged (when close enough), else the
 * weakest is left out, and the ladder is tried again. Pure.
 */
import { planRegionRead } from '../../../session/region-plan';
import type { SlideRect } from '../../../slide/slide-source';

/** Pixels per image token side: 14-pixel patches merged 2 x 2. */
export const QWEN_TOKEN_SIDE = 28;
/** "\nRegion 12: " plus <|vision_start|> and <|vision_end|>, counted generously. */
export const REGION_SLOT_TOKENS = 8;
/** Two regions are merged only when their bounding box is at most this many times their summed area. */
export const MERGE_AREA_RATIO = 4;

export interface ImageLimits {
  minPixels: number;
  maxPixels: number;
}

/** Python's round(): halves go to the even neighbour (the processor is Python's; Math.round rounds halves up). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (Math.abs(fraction - 0.5) > 1e-9) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The size Qwen2-VL's processor resizes an image to (transformers' smart_resize). */
export function qwenResizedSize(width: number, height: number, { minPixels, maxPixels }: ImageLimits): { width: number; height: number } {
  const factor = QWEN_TOKEN_SIDE;
  let resizedHeight = Math.max(factor, roundHalfEven(height / factor) * factor);
  let resizedWidth = Math.max(factor, roundHalfEven(width / factor) * factor);
  if (resizedHeight * resizedWidth > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    resizedHeight = Math.max(factor, Math.floor(height / beta / factor) * factor);
    resizedWidth = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (resizedHeight * resizedWidth < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    resizedHeight = Math.ceil((height * beta) / factor) * factor;
    resizedWidth = Math.ceil((width * beta) / factor) * factor;
  }
  return { width: resizedWidth, height: resizedHeight };
}

export function qwenImageTokens(width: number, height: number, limits: ImageLimits): number {
  const size = qwenResizedSize(width, height, limits);
  return (size.width / QWEN_TOKEN_SIDE) * (size.height / QWEN_TOKEN_SIDE);
}

/**
 * Tokens of a text, over-estimated without the tokenizer: a UTF-8 byte count over 2.5 (Qwen's vocabulary averages
 * about 4 bytes per token on English; a smaller vocabulary needs more tokens).
 */
export function estimateTextTokens(text: string): number {
  return Math.ceil(new TextEncoder().encode(text).length / 2.5);
}

export interface BudgetRegion {
  rect: SlideRect;
  score: number;
}

export interface RegionRead {
  /** µm per pixel to read at (null: full resolution, the slide has no scale). */
  targetMpp: number | null;
  outputWidth: number;
  outputHeight: number;
  effectiveMagnification: number | null;
  tokens: number;
}

export interface PlannedRegion {
  rect: SlideRect;
  score: number;
  /** Positions, in the regions given, of the regions this one covers (several when merged). */
  sources: number[];
  read: RegionRead;
}

export interface BudgetInput {
  /** Best first. */
  regions: readonly BudgetRegion[];
  slideMpp: number | null;
  magnification: number;
  minMagnification: number;
  limits: ImageLimits;
  /** Prompt tokens allowed: the question's text and every region. */
  tokenBudget: number;
  textTokens: number;
}

export type BudgetPlan =
  | {
      ok: true;
      regions: PlannedRegion[];
      /** The magnification asked of every region (a large one may be read lower to stay within max pixels). */
      magnification: number | null;
      promptTokens: number;
      /** Merges done, and how many of the regions given were left out. */
      merged: number;
      dropped: number;
      /** A sentence for the user when the plan had to give something up; null when everything fit as asked. */
      note: string | null;
    }
  | { ok: false; reason: string };

/** The magnifications tried, the wanted one first, halving down to `minMagnification`. */
export function magnificationLadder(magnification: number, minMagnification: number): number[] {
  const ladder = [magnification];
  while (ladder.at(-1)! / 2 >= minMagnification - 1e-9) ladder.push(ladder.at(-1)! / 2);
  return ladder;
}

/** How `rect` is read at `magnification` within `maxPixels`, and what it costs in image tokens; null when it cannot be read. */
export function regionRead(rect: SlideRect, slideMpp: number | null, magnification: number, limits: ImageLimits): RegionRead | { reason: string } {
  const plan = planRegionRead({ width: rect.width, height: rect.height, slideMpp, magnification, maxPixels: limits.maxPixels });
  if (!plan.ok) return { reason: plan.reason };
  return {
    targetMpp: plan.targetMpp,
    outputWidth: plan.outputWidth,
    outputHeight: plan.outputHeight,
    effectiveMagnification: plan.effectiveMagnification,
    tokens: qwenImageTokens(plan.outputWidth, plan.outputHeight, limits),
  };
}

function union(a: SlideRect, b: SlideRect): SlideRect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

const area = (rect: SlideRect) => rect.width * rect.height;

interface Candidate {
  rect: SlideRect;
  score: number;
  sources: number[];
}

/** One step towards fewer regions: merge the pair with the smallest union when it is compact enough, else leave out the weakest. */
export function fewerRegions(candidates: readonly Candidate[]): { candidates: Candidate[]; merged: boolean; leftOut: number } {
  let best: { i: number; j: number; union: SlideRect } | null = null;
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const joined = union(candidates[i]!.rect, candidates[j]!.rect);
      if (!best || area(joined) < area(best.union)) best = { i, j, union: joined };
    }
  }
  if (best && area(best.union) <= MERGE_AREA_RATIO * (area(candidates[best.i]!.rect) + area(candidates[best.j]!.rect))) {
    const { i, j } = best;
    const mergedRegion: Candidate = {
      rect: best.union,
      score: Math.max(candidates[i]!.score, candidates[j]!.score),
      sources: [...candidates[i]!.sources, ...candidates[j]!.sources].sort((a, b) => a - b),
    };
    return { candidates: candidates.flatMap((candidate, k) => (k === i ? [mergedRegion] : k === j ? [] : [candidate])), merged: true, leftOut: 0 };
  }
  return { candidates: candidates.slice(0, -1), merged: false, leftOut: candidates.at(-1)!.sources.length };
}

/** Reads of all `candidates` at `magnification` and their total prompt cost, or null when one cannot be read. */
function costAt(candidates: readonly Candidate[], input: BudgetInput, magnification: number): { reads: RegionRead[]; tokens: number } | { reason: string } {
  const reads: RegionRead[] = [];
  for (const candidate of candidates) {
    const read = regionRead(candidate.rect, input.slideMpp, magnification, input.limits);
    if ('reason' in read) return read;
    reads.push(read);
  }
  return { reads, tokens: input.textTokens + reads.reduce((sum, read) => sum + read.tokens + REGION_SLOT_TOKENS, 0) };
}

const formatMagnification = (magnification: number) => `${Number(magnification.toFixed(magnification < 10 ? 2 : 1))}x`;

export function planRegionBudget(input: BudgetInput): BudgetPlan {
  const { regions, tokenBudget, textTokens } = input;
  if (regions.length === 0) return { ok: false, reason: 'No region of the slide matched the question: index the slide again or rephrase the question.' };
  const minimum = textTokens + REGION_SLOT_TOKENS + Math.ceil(input.limits.minPixels / QWEN_TOKEN_SIDE ** 2);
  if (tokenBudget < minimum) {
    return {
      ok: false,
      reason: `A budget of ${tokenBudget.toLocaleString('en')} tokens cannot hold the question (about ${textTokens.toLocaleString('en')} tokens) and one region: raise it to at least ${minimum.toLocaleString('en')}.`,
    };
  }
  // Without a scale there is one way to read a region: at full resolution.
  const ladder = input.slideMpp === null ? [input.magnification] : magnificationLadder(input.magnification, input.minMagnification);
  let candidates: Candidate[] = regions.map((region, position) => ({ rect: region.rect, score: region.score, sources: [position] }));
  let merged = 0;
  let dropped = 0;
  for (;;) {
    for (const magnification of ladder) {
      const cost = costAt(candidates, input, magnification);
      if ('reason' in cost) return { ok: false, reason: cost.reason };
      if (cost.tokens <= tokenBudget) {
        return finish(
          candidates.map((candidate, k) => ({ ...candidate, read: cost.reads[k]! })),
          input.slideMpp === null ? null : magnification,
          cost.tokens,
        );
      }
    }
    if (candidates.length === 1) break;
    const step = fewerRegions(candidates);
    candidates = step.candidates;
    if (step.merged) merged++;
    dropped += step.leftOut;
  }
  // One region left that does not fit even at the lowest magnification: read it as large as the budget allows.
  const only = candidates[0]!;
  let pixelCap = Math.min(input.limits.maxPixels, (tokenBudget - textTokens - REGION_SLOT_TOKENS) * QWEN_TOKEN_SIDE ** 2);
  while (pixelCap >= input.limits.minPixels) {
    const read = regionRead(only.rect, input.slideMpp, input.magnification, { ...input.limits, maxPixels: pixelCap });
    if ('reason' in read) return { ok: false, reason: read.reason };
    const tokens = textTokens + REGION_SLOT_TOKENS + read.tokens;
    if (tokens <= tokenBudget) return finish([{ ...only, read }], read.effectiveMagnification, tokens);
    pixelCap = Math.floor(pixelCap * 0.9);
  }
  return { ok: false, reason: `Not even one region fits in ${tokenBudget.toLocaleString('en')} tokens: raise the token budget.` };

  function finish(planned: PlannedRegion[], magnification: number | null, promptTokens: number): BudgetPlan {
    const lowered = magnification !== null && input.slideMpp !== null && magnification < input.magnification - 1e-9;
    let note: string | null = null;
    if (merged + dropped > 0 || lowered) {
      const asked = `The ${regions.length} region${regions.length === 1 ? '' : 's'} found do not fit in ${tokenBudget.toLocaleString('en')} tokens at ${formatMagnification(input.magnification)}`;
      const at = magnification === null ? '' : ` at ${formatMagnification(magnification)}`;
      if (merged + dropped === 0) note = `${asked}, so Patho-R1 sees them${at}.`;
      else {
        const how = [
          merged > 0 ? `${merged} merge${merged === 1 ? '' : 's'} of neighbouring regions` : '',
          dropped > 0 ? `the ${dropped} weakest left out` : '',
        ]
          .filter(Boolean)
          .join(', ');
        note = `${asked}, so Patho-R1 sees ${planned.length} ${merged > 0 ? 'larger ' : ''}region${planned.length === 1 ? '' : 's'}${at} (${how}). Raise the token budget to see more.`;
      }
    }
    return { ok: true, regions: planned, magnification, promptTokens, merged, dropped, note };
  }
}
