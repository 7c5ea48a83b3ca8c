/**
 * A slide's session as one file: `session.json` (the slide it belongs to, its regions, the Ask conversations,
 * the "Ask the slide" answers and the expert feedback on the answers) and `snapshots/<region id>.png` (each region as a PNG) plus `feedback/<n>.png` (the
 * image each review kept; `feedback/<n>-<k>.png` for region k of an "Ask the slide" review), zipped with fflate. Pure: no DOM, no stores; the zip is read and checked here with zod,
 * every problem said as one sentence, and sizes bounded before anything is unpacked.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Unzipped } from 'fflate';
import { z } from 'zod';

export const SESSION_FORMAT = 'patholens-session';
export const SESSION_VERSION = 1;
/** Largest session file opened (the zip as chosen). */
export const MAX_SESSION_FILE_BYTES = 200 * 1024 * 1024;
/** Largest total unpacked size (guards against zip bombs). */
export const MAX_SESSION_UNPACKED_BYTES = 400 * 1024 * 1024;
export const MAX_SESSION_REGIONS = 5000;
export const MAX_SESSION_ANSWERS = 5000;
export const MAX_SESSION_FEEDBACK = 5000;
/** Most earlier turns a review of a follow-up keeps, and most images a review keeps ("Ask the slide": one per region). */
export const MAX_REVIEW_TURNS = 200;
export const MAX_REVIEW_IMAGES = 200;
/** Longest text field (a question, a reasoning, an answer) kept from a file. */
export const MAX_TEXT_CHARS = 200_000;

const text = (max = MAX_TEXT_CHARS) => z.string().max(max, `is longer than ${max} characters`);
const finite = z.number().finite();
const point = z.object({ x: finite, y: finite });
const rect = z.object({ x: finite, y: finite, width: finite.nonnegative(), height: finite.nonnegative() });

const shapeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rectangle'), rect }),
  z.object({ kind: z.literal('ellipse'), rect }),
  z.object({ kind: z.literal('polygon'), points: z.array(point).min(3, 'needs at least 3 points').max(100_000) }),
  z.object({ kind: z.literal('points'), points: z.array(point).min(1, 'needs at least 1 point').max(100_000) }),
]);

export const sessionRegionSchema = z.object({
  id: text(200).min(1, 'is empty'),
  name: text(200),
  shape: shapeSchema,
  createdAt: finite,
  className: text(200).optional(),
  hidden: z.boolean().optional(),
  locked: z.boolean().optional(),
  measurements: z.record(z.string().max(200), finite).optional(),
});

const statsSchema = z.object({
  promptTokens: finite,
  reusedTokens: finite,
  newTokens: finite,
  timeToFirstTokenMs: finite.nullable(),
  tokensPerSecond: finite.nullable(),
});

export const sessionAnswerSchema = z.object({
  id: z.number().int(),
  conversationId: text(200).min(1, 'is empty'),
  roiId: text(200).nullable(),
  bounds: rect.optional(),
  question: text(),
  options: z.array(text(2000)).max(26),
  chainOfDraft: z.boolean(),
  reply: text(),
  reasoning: text(),
  answer: text(),
  reasoningClosed: z.boolean(),
  status: z.enum(['reading-region', 'streaming', 'done', 'stopped', 'error']),
  error: text(2000).optional(),
  stats: statsSchema.optional(),
  backend: text(200),
  model: text(500).optional(),
  regionNote: text(500),
  createdAt: finite,
});

const shownRegionSchema = z.object({
  rect,
  score: finite.nullable(),
  origin: text(500),
  number: z.number().int(),
  readNote: text(500),
  tokens: finite,
});

/** An "Ask the slide" answer with the regions it was given. */
export const sessionSlideAnswerSchema = z.object({
  id: z.number().int(),
  slideIdentity: text(2000),
  question: text(),
  options: z.array(text(2000)).max(26),
  status: z.enum(['finding-regions', 'reading-regions', 'streaming', 'done', 'stopped', 'error']),
  regions: z.array(shownRegionSchema).max(200),
  budgetNote: text(2000).nullable(),
  promptTokens: finite.nullable(),
  reply: text(),
  reasoning: text(),
  answer: text(),
  reasoningClosed: z.boolean(),
  error: text(2000).optional(),
  stats: statsSchema.optional(),
  backend: text(200),
  createdAt: finite,
});

const reviewTurnSchema = z.object({ question: text(), options: z.array(text(2000)).max(26), reply: text() });

export const sessionFeedbackSchema = z.object({
  id: text(400).min(1, 'is empty'),
  source: z.enum(['ask', 'ask-slide', 'practice']),
  question: text(),
  options: z.array(text(2000)).max(26),
  /** Path of the PNG in the zip ("Ask the slide": Region 1's). */
  image: z.string().regex(/^feedback\/\d+\.png$/, 'must name a feedback/N.png file in the session'),
  /** "Ask the slide": Regions 2, 3… in prompt order (absent in files written before reviews kept several). */
  moreImages: z
    .array(z.string().regex(/^feedback\/\d+-\d+\.png$/, 'must name a feedback/N-K.png file in the session'))
    .max(MAX_REVIEW_IMAGES - 1, `has more than ${MAX_REVIEW_IMAGES} images`)
    .optional(),
  /** A follow-up's earlier turns, oldest first (absent in files written before reviews kept them). */
  earlierTurns: z.array(reviewTurnSchema).max(MAX_REVIEW_TURNS, `has more than ${MAX_REVIEW_TURNS} earlier turns`).optional(),
  verdict: z.enum(['correct', 'incorrect']),
  reasoning: text(),
  answer: text(),
  originalReasoning: text(),
  originalAnswer: text(),
  createdAt: finite,
  updatedAt: finite,
});

const manifestSchema = z.object({
  format: z.literal(SESSION_FORMAT, `is not "${SESSION_FORMAT}"`),
  version: z.literal(SESSION_VERSION, `is not ${SESSION_VERSION} (this PathoLens reads session files of version ${SESSION_VERSION})`),
  exportedAt: z.string().max(100),
  slide: z.object({ identity: text(2000).min(1, 'is empty'), name: text(1000), width: finite, height: finite }),
  regions: z.array(z.unknown()).max(MAX_SESSION_REGIONS, `has more than ${MAX_SESSION_REGIONS} regions`),
  answers: z.array(z.unknown()).max(MAX_SESSION_ANSWERS, `has more than ${MAX_SESSION_ANSWERS} answers`),
  feedback: z.array(z.unknown()).max(MAX_SESSION_FEEDBACK, `has more than ${MAX_SESSION_FEEDBACK} reviews`),
  slideAnswers: z.array(z.unknown()).max(MAX_SESSION_ANSWERS, `has more than ${MAX_SESSION_ANSWERS} “Ask the slide” answers`).default([]),
});

export type SessionRegion = z.infer<typeof sessionRegionSchema>;
export type SessionAnswer = z.infer<typeof sessionAnswerSchema>;
export type SessionSlideAnswer = z.infer<typeof sessionSlideAnswerSchema>;
export type SessionFeedback = Omit<z.infer<typeof sessionFeedbackSchema>, 'image' | 'moreImages'> & { imagePng: Uint8Array; moreImagesPng?: Uint8Array[] };

export interface SessionContents {
  slide: { identity: string; name: string; width: number; height: number };
  exportedAt: string;
  regions: SessionRegion[];
  answers: SessionAnswer[];
  /** "Ask the slide" answers. */
  slideAnswers: SessionSlideAnswer[];
  feedback: SessionFeedback[];
  /** PNG of each region, by region id. */
  snapshots: Record<string, Uint8Array>;
}

export interface SessionRead {
  session: SessionContents | null;
  /** One sentence per problem: a fatal one leaves `session` null; others name the item left out. */
  problems: string[];
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

/** A file name for a region's snapshot (ids are UUIDs; anything else is made safe). */
export function snapshotPath(regionId: string): string {
  return `snapshots/${regionId.replace(/[^A-Za-z0-9_-]/g, '_')}.png`;
}

export function writeSessionZip(session: SessionContents): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  const feedback = session.feedback.map(({ imagePng, moreImagesPng, ...record }, index) => {
    const image = `feedback/${index + 1}.png`;
    files[image] = imagePng;
    const moreImages = (moreImagesPng ?? []).map((png, k) => {
      const path = `feedback/${index + 1}-${k + 2}.png`;
      files[path] = png;
      return path;
    });
    return { ...record, image, ...(moreImages.length > 0 && { moreImages }) };
  });
  for (const [regionId, png] of Object.entries(session.snapshots)) files[snapshotPath(regionId)] = png;
  const manifest = {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    exportedAt: session.exportedAt,
    slide: session.slide,
    regions: session.regions,
    answers: session.answers,
    slideAnswers: session.slideAnswers,
    feedback,
  };
  files['session.json'] = strToU8(JSON.stringify(manifest, null, 1));
  // PNGs are compressed already: stored, not deflated again.
  return zipSync(Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, [bytes, { level: path.endsWith('.png') ? 0 : 6 }]])));
}

function where(path: PropertyKey[]): string {
  return path.length === 0 ? '' : ` (${path.map(String).join('.')})`;
}

function issueSentence(item: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${item}${where(issue.path)}: ${issue.message}.`;
}

function megabytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1);
}

export interface SessionLimits {
  fileBytes: number;
  unpackedBytes: number;
}

const LIMITS: SessionLimits = { fileBytes: MAX_SESSION_FILE_BYTES, unpackedBytes: MAX_SESSION_UNPACKED_BYTES };

/** Reads a session zip: the file's problems as sentences; an item that fails its check is left out and named. */
export function readSessionZip(bytes: Uint8Array, fileName = 'This file', limits: SessionLimits = LIMITS): SessionRead {
  if (bytes.length > limits.fileBytes) {
    return {
      session: null,
      problems: [`${fileName} is ${megabytes(bytes.length)} MB; PathoLens opens session files up to ${megabytes(limits.fileBytes)} MB.`],
    };
  }
  let files: Unzipped;
  let unpacked = 0;
  let tooBig = false;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        if (file.name !== 'session.json' && !/^(snapshots|feedback)\/[A-Za-z0-9_-]+\.png$/.test(file.name)) return false;
        unpacked += file.originalSize;
        if (unpacked > limits.unpackedBytes) tooBig = true;
        return !tooBig;
      },
    });
  } catch {
    return {
      session: null,
      problems: [`${fileName} is not a PathoLens session file (not a readable zip). Choose a .patholens.zip file saved by "Export session".`],
    };
  }
  if (tooBig) {
    return { session: null, problems: [`${fileName} unpacks to more than ${megabytes(limits.unpackedBytes)} MB; PathoLens does not open it.`] };
  }
  const manifestBytes = files['session.json'];
  if (!manifestBytes) return { session: null, problems: [`${fileName} has no session.json: it is not a PathoLens session file.`] };
  let json: unknown;
  try {
    json = JSON.parse(strFromU8(manifestBytes));
  } catch (error) {
    return { session: null, problems: [`session.json in ${fileName} is not valid JSON (${error instanceof Error ? error.message : 'unreadable'}).`] };
  }
  const manifest = manifestSchema.safeParse(json);
  if (!manifest.success) return { session: null, problems: [issueSentence('session.json', manifest.error)] };
  const problems: string[] = [];
  const regions: SessionRegion[] = [];
  manifest.data.regions.forEach((raw, index) => {
    const parsed = sessionRegionSchema.safeParse(raw);
    if (parsed.success) regions.push(parsed.data);
    else problems.push(issueSentence(`Region ${index + 1} was left out`, parsed.error));
  });
  const answers: SessionAnswer[] = [];
  manifest.data.answers.forEach((raw, index) => {
    const parsed = sessionAnswerSchema.safeParse(raw);
    if (parsed.success) answers.push(parsed.data);
    else problems.push(issueSentence(`Answer ${index + 1} was left out`, parsed.error));
  });
  const slideAnswers: SessionSlideAnswer[] = [];
  manifest.data.slideAnswers.forEach((raw, index) => {
    const parsed = sessionSlideAnswerSchema.safeParse(raw);
    if (parsed.success) slideAnswers.push(parsed.data);
    else problems.push(issueSentence(`“Ask the slide” answer ${index + 1} was left out`, parsed.error));
  });
  const feedback: SessionFeedback[] = [];
  manifest.data.feedback.forEach((raw, index) => {
    const parsed = sessionFeedbackSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(issueSentence(`Review ${index + 1} was left out`, parsed.error));
      return;
    }
    const { image, moreImages, ...record } = parsed.data;
    const pngs = [image, ...(moreImages ?? [])].map((path) => files[path]);
    const missing = pngs.findIndex((png) => !png || !isPng(png));
    if (missing >= 0) {
      problems.push(`Review ${index + 1} was left out: its image ${[image, ...(moreImages ?? [])][missing]} is missing or not a PNG.`);
      return;
    }
    const [first, ...more] = pngs as Uint8Array[];
    feedback.push({ ...record, imagePng: first!, ...(more.length > 0 && { moreImagesPng: more }) });
  });
  const snapshots: Record<string, Uint8Array> = {};
  for (const region of regions) {
    const png = files[snapshotPath(region.id)];
    if (png && isPng(png)) snapshots[region.id] = png;
  }
  return { session: { slide: manifest.data.slide, exportedAt: manifest.data.exportedAt, regions, answers, slideAnswers, feedback, snapshots }, problems };
}
