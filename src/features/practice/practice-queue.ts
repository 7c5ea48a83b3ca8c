/**
 * What the Practise view shows next and where a question's image is: pure, so the panel and its tests agree.
 * Questions due for review (FSRS, review-schedule.ts) come first, most overdue first; then questions never answered,
 * in the bank's order. Questions answered and not yet due wait for their day.
 */
import type { Question, QuestionImage } from './bank-schema';
import { DEMO_SLIDE } from './demo-bank';
import { cardKey } from './practice-history';
import { dueForReview, type ReviewCard } from './review-schedule';

/** Where the app serves the built-in demo slide (viewer/open-actions.ts DEMO_SLIDE_PATH). */
export const DEMO_SLIDE_URL_PATH = '/demo/demo-slide.svs';

export interface PracticeQueue {
  /** Question ids to practise, in order. */
  queue: string[];
  /** How many of them are due for review (they lead the queue). */
  due: number;
  /** The earliest moment a question not in the queue comes due; null when none waits. */
  nextDue: Date | null;
}

export function practiceQueue(bankId: string, questions: readonly Question[], cards: Readonly<Record<string, ReviewCard>>, now: Date): PracticeQueue {
  const prefix = `${bankId}/`;
  const inBank = new Set(questions.map((q) => q.id));
  const bankCards: Record<string, ReviewCard> = {};
  for (const [key, card] of Object.entries(cards)) {
    if (!key.startsWith(prefix)) continue;
    const id = key.slice(prefix.length);
    if (inBank.has(id)) bankCards[id] = card;
  }
  const due = dueForReview(bankCards, now);
  const fresh = questions.filter((q) => !(q.id in bankCards)).map((q) => q.id);
  let nextDue: Date | null = null;
  for (const card of Object.values(bankCards)) {
    if (card.due.getTime() > now.getTime() && (nextDue === null || card.due < nextDue)) nextDue = card.due;
  }
  return { queue: [...due, ...fresh], due: due.length, nextDue };
}

/** Whether the question's review card (if any) is one of the due ones: the panel labels it "Review". */
export function isReview(bankId: string, questionId: string, cards: Readonly<Record<string, ReviewCard>>): boolean {
  return cardKey(bankId, questionId) in cards;
}

/** The slide open in the viewer, as far as a question image cares. */
export interface OpenSlideInfo {
  /** File name or URL as the user knows it (SlideMetadata.name). */
  name: string;
  /** Whether it is the built-in demo slide. */
  isDemo: boolean;
}

export type ImagePlacement =
  | { kind: 'none' }
  | { kind: 'data-url'; dataUrl: string }
  /** The question's slide is open: the viewer goes to `region` (level-0 pixels). */
  | { kind: 'on-open-slide'; region: { x: number; y: number; width: number; height: number } }
  /** Another slide (or none) is open: the trainee is told which to open. */
  | { kind: 'open-slide-first'; slide: string; sentence: string }
  | { kind: 'unavailable'; sentence: string };

/** The last path segment of a file name or URL, without a query: "…/demo/demo-slide.svs?x" -> "demo-slide.svs". */
export function slideBaseName(name: string): string {
  const withoutQuery = name.split(/[?#]/)[0] ?? name;
  const parts = withoutQuery.split(/[\\/]/).filter(Boolean);
  return parts.at(-1) ?? withoutQuery;
}

export function imagePlacement(image: QuestionImage | undefined, open: OpenSlideInfo | null): ImagePlacement {
  if (!image) return { kind: 'none' };
  if (image.kind === 'data-url') return { kind: 'data-url', dataUrl: image.dataUrl };
  if (image.kind === 'file') {
    // Import resolves files to data URLs; a path left here means the image was not in the imported zip or folder.
    return {
      kind: 'unavailable',
      sentence: `This question's image (${image.path}) was not in the imported bank; import the bank's zip with its images folder.`,
    };
  }
  const wanted = image.slide;
  const matches = open !== null && (wanted === DEMO_SLIDE ? open.isDemo : slideBaseName(open.name).toLowerCase() === slideBaseName(wanted).toLowerCase());
  if (matches) return { kind: 'on-open-slide', region: image.region };
  const label = wanted === DEMO_SLIDE ? 'the demo slide' : wanted;
  return {
    kind: 'open-slide-first',
    slide: wanted,
    sentence:
      wanted === DEMO_SLIDE
        ? `This question is on the demo slide: open it (Slide URL: ${DEMO_SLIDE_URL_PATH}) to see its region${open ? ` (${slideBaseName(open.name)} is open now)` : ''}.`
        : `This question is on the slide ${label}: open that slide to see its region${open ? ` (${slideBaseName(open.name)} is open now)` : ''}.`,
  };
}
