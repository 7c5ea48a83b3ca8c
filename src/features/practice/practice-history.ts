/**
 * A trainee's history in IndexedDB (storage/schema.ts PRACTICE): every answer, and the FSRS card of each question,
 * updated on each answer so missed questions come back on schedule. Kept across reloads; exported and imported as
 * one JSON file.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { migratePractice, PRACTICE } from '../../storage/schema';
import type { AnswerRecord } from './progress';
import { scheduleReview, type AnswerGrade, type ReviewCard } from './review-schedule';

/** One answer: progress.ts's AnswerRecord (answeredAt in ms) plus where it came from and its review grade. */
export interface Attempt extends AnswerRecord {
  id: string;
  bankId: string;
  grade: AnswerGrade;
}

export const cardKey = (bankId: string, questionId: string) => `${bankId}/${questionId}`;

export function openPracticeDb(): Promise<IDBPDatabase> {
  return openDB(PRACTICE.dbName, PRACTICE.version, { upgrade: (db, oldVersion) => migratePractice(db, oldVersion) });
}

/** Saves one answer and moves its question's review card on by the answer's grade, in one transaction. */
export async function recordAttempt(db: IDBPDatabase, attempt: Attempt): Promise<ReviewCard> {
  const tx = db.transaction([PRACTICE.attempts, PRACTICE.cards], 'readwrite');
  const key = cardKey(attempt.bankId, attempt.questionId);
  const old = (await tx.objectStore(PRACTICE.cards).get(key)) as { card: ReviewCard } | undefined;
  const card = scheduleReview(old?.card, attempt.grade, new Date(attempt.answeredAt));
  await tx.objectStore(PRACTICE.attempts).put(attempt);
  await tx.objectStore(PRACTICE.cards).put({ key, card });
  await tx.done;
  return card;
}

export async function listAttempts(db: IDBPDatabase): Promise<Attempt[]> {
  return (await db.getAllFromIndex(PRACTICE.attempts, 'answeredAt')) as Attempt[];
}

export async function reviewCards(db: IDBPDatabase): Promise<Record<string, ReviewCard>> {
  const rows = (await db.getAll(PRACTICE.cards)) as { key: string; card: ReviewCard }[];
  return Object.fromEntries(rows.map((r) => [r.key, r.card]));
}

const PROGRESS_FORMAT = 'patholens-practice-progress';

/** Progress as JSON text (dates as ISO strings). */
export async function exportProgress(db: IDBPDatabase): Promise<string> {
  return JSON.stringify({ format: PROGRESS_FORMAT, version: 1, attempts: await listAttempts(db), cards: await reviewCards(db) });
}

const CARD_DATES = ['due', 'last_review'] as const;

/**
 * Adds an exported progress file to this browser's: attempts are merged by id (nothing here is lost), and a card is
 * taken from the file only when it was reviewed later than the one here. Returns how many attempts were new.
 */
export async function importProgress(db: IDBPDatabase, text: string): Promise<number> {
  let data: { format?: unknown; attempts?: unknown; cards?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    throw new Error('This progress file is not valid JSON; export it again from PathoLens.');
  }
  if (data.format !== PROGRESS_FORMAT || !Array.isArray(data.attempts) || typeof data.cards !== 'object' || !data.cards) {
    throw new Error('This is not a PathoLens progress file (Practice → Export progress makes one).');
  }
  const tx = db.transaction([PRACTICE.attempts, PRACTICE.cards], 'readwrite');
  let added = 0;
  for (const raw of data.attempts as Attempt[]) {
    if (typeof raw?.id !== 'string' || typeof raw.questionId !== 'string') continue;
    if (await tx.objectStore(PRACTICE.attempts).getKey(raw.id)) continue;
    await tx.objectStore(PRACTICE.attempts).put({ ...raw, answeredAt: Number(raw.answeredAt) });
    added++;
  }
  for (const [key, raw] of Object.entries(data.cards as Record<string, Record<string, unknown>>)) {
    const card = { ...raw } as Record<string, unknown>;
    for (const f of CARD_DATES) if (card[f]) card[f] = new Date(card[f] as string);
    const here = (await tx.objectStore(PRACTICE.cards).get(key)) as { card: ReviewCard } | undefined;
    const theirs = (card.last_review as Date | undefined)?.getTime() ?? 0;
    if (!here || (here.card.last_review?.getTime() ?? 0) < theirs) await tx.objectStore(PRACTICE.cards).put({ key, card });
  }
  await tx.done;
  return added;
}
