/**
 * Session files: a slide's regions, answers and reviews written as one zip and read back identical; items that
 * fail their check are left out with a sentence each; files too large or not sessions are refused with one
 * sentence; an import adds to what is on the slide, never drops it, and a file imported twice adds nothing.
 */
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  MAX_REVIEW_IMAGES,
  MAX_REVIEW_TURNS,
  MAX_SESSION_FILE_BYTES,
  readSessionZip,
  snapshotPath,
  writeSessionZip,
  type SessionAnswer,
  type SessionContents,
  type SessionRegion,
} from '../../../src/features/session-file/session-format';
import { feedbackToSave, matchRegions, mergeAnswers, mergeSlideAnswers, regionIdMap } from '../../../src/features/session-file/session-merge';
import { slideReviewId } from '../../../src/features/ask/slide/slide-review-id';

// The 8-byte PNG signature and an IHDR start: enough for the signature check (the zip carries bytes as they are).
const png = (seed: number) => new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, seed]);

const region = (id: string, patch: Partial<SessionRegion> = {}): SessionRegion => ({
  id,
  name: `Region ${id}`,
  shape: { kind: 'rectangle', rect: { x: 10, y: 20, width: 300, height: 200 } },
  createdAt: 1,
  ...patch,
});

const answer = (id: number, patch: Partial<SessionAnswer> = {}): SessionAnswer => ({
  id,
  conversationId: 'c1',
  roiId: 'r1',
  bounds: { x: 10, y: 20, width: 300, height: 200 },
  question: `Question ${id}`,
  options: ['Benign', 'Malignant'],
  chainOfDraft: false,
  reply: '<think>Glands</think><answer>B</answer>',
  reasoning: 'Glands',
  answer: 'B',
  reasoningClosed: true,
  status: 'done',
  stats: { promptTokens: 300, reusedTokens: 0, newTokens: 20, timeToFirstTokenMs: 120, tokensPerSecond: 9.5 },
  backend: 'WASM · q4',
  regionNote: '512 x 512 px at 20x',
  createdAt: 100 + id,
  ...patch,
});

const session = (): SessionContents => ({
  slide: { identity: 'file:small.svs:2220:abc', name: 'small.svs', width: 2220, height: 2967 },
  exportedAt: '2026-11-29T01:00:00.000Z',
  regions: [
    region('r1'),
    region('r2', {
      shape: {
        kind: 'polygon',
        points: [
          { x: 0, y: 0 },
          { x: 9, y: 0 },
          { x: 0, y: 9 },
        ],
      },
      className: 'Tumor',
      measurements: { 'Area µm^2': 12 },
    }),
  ],
  answers: [answer(1), answer(2, { status: 'stopped', answer: '', reasoningClosed: false })],
  slideAnswers: [
    {
      id: 1,
      slideIdentity: 'file:small.svs:2220:abc',
      question: 'Where is the tumour?',
      options: [],
      status: 'done',
      regions: [
        { rect: { x: 0, y: 0, width: 224, height: 224 }, score: 2.5, origin: 'PathoCLIP: “Tumour”', number: 1, readNote: '224 x 224 px at 20x', tokens: 64 },
      ],
      budgetNote: null,
      promptTokens: 300,
      reply: '<answer>Region 1</answer>',
      reasoning: '',
      answer: 'Region 1',
      reasoningClosed: true,
      backend: 'WASM · q4',
      createdAt: 50,
    },
  ],
  feedback: [
    {
      id: 'ask:c1:1',
      source: 'ask',
      question: 'Question 1',
      options: ['Benign', 'Malignant'],
      imagePng: png(7),
      verdict: 'incorrect',
      reasoning: 'Corrected',
      answer: 'A',
      originalReasoning: 'Glands',
      originalAnswer: 'B',
      createdAt: 5,
      updatedAt: 6,
    },
    {
      // A follow-up's review keeps the turn before it.
      id: 'ask:c1:2',
      source: 'ask',
      question: 'Question 2',
      options: [],
      imagePng: png(8),
      earlierTurns: [{ question: 'Question 1', options: ['Benign', 'Malignant'], reply: '<think>Glands</think><answer>B</answer>' }],
      verdict: 'correct',
      reasoning: 'Mitoses',
      answer: 'Grade 2',
      originalReasoning: 'Mitoses',
      originalAnswer: 'Grade 2',
      createdAt: 7,
      updatedAt: 8,
    },
    {
      // An "Ask the slide" answer's review keeps one image per region, in prompt order.
      id: slideReviewId({ slideIdentity: 'file:small.svs:2220:abc', createdAt: 50 }),
      source: 'ask-slide',
      question: 'Where is the tumour?',
      options: [],
      imagePng: png(9),
      moreImagesPng: [png(10), png(11)],
      verdict: 'correct',
      reasoning: 'Invasive glands in region 1.',
      answer: 'Region 1',
      originalReasoning: '',
      originalAnswer: 'Region 1',
      createdAt: 9,
      updatedAt: 10,
    },
  ],
  snapshots: { r1: png(1), r2: png(2) },
});

describe('session file', () => {
  it('round trip: what is written reads back the same, with a PNG per region', () => {
    const written = session();
    const zip = writeSessionZip(written);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(
      [
        'feedback/1.png',
        'feedback/2.png',
        'feedback/3.png',
        'feedback/3-2.png',
        'feedback/3-3.png',
        'session.json',
        snapshotPath('r1'),
        snapshotPath('r2'),
      ].sort(),
    );
    expect(files['feedback/3-3.png']).toEqual(png(11));
    const read = readSessionZip(zip);
    expect(read.problems).toEqual([]);
    expect(read.session).toEqual(written);
  });

  it('a file written before reviews kept turns and several images (no earlierTurns, no moreImages, no slide reviews) reads as it did', () => {
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(writeSessionZip(session()))['session.json']));
    const old = { ...manifest, feedback: [manifest.feedback[0]] };
    delete old.slideAnswers;
    expect(Object.keys(old.feedback[0]).sort()).not.toContain('earlierTurns');
    const read = readSessionZip(zipSync({ 'session.json': strToU8(JSON.stringify(old)), 'feedback/1.png': png(7) }));
    expect(read.problems).toEqual([]);
    expect(read.session?.slideAnswers).toEqual([]);
    expect(read.session?.feedback).toEqual([session().feedback[0]]);
  });

  it('bounds a review: too many earlier turns or images, a missing region image or a bad image path leave that review out with a sentence', () => {
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(writeSessionZip(session()))['session.json']));
    const turn = { question: 'q', options: [], reply: 'r' };
    manifest.feedback[1].earlierTurns = Array.from({ length: MAX_REVIEW_TURNS + 1 }, () => turn);
    manifest.feedback[2].moreImages = Array.from({ length: MAX_REVIEW_IMAGES }, (_, k) => `feedback/3-${k + 2}.png`);
    const copy = (patch: object) => ({ ...manifest.feedback[2], ...patch });
    manifest.feedback.push(copy({ moreImages: ['feedback/3-9.png'] }), copy({ moreImages: ['../3-2.png'] }));
    const files = unzipSync(writeSessionZip(session()));
    files['session.json'] = strToU8(JSON.stringify(manifest));
    const { session: read, problems } = readSessionZip(zipSync(files));
    expect(read?.feedback.map((review) => review.id)).toEqual(['ask:c1:1']);
    expect(problems).toEqual([
      `Review 2 was left out (earlierTurns): has more than ${MAX_REVIEW_TURNS} earlier turns.`,
      `Review 3 was left out (moreImages): has more than ${MAX_REVIEW_IMAGES} images.`,
      'Review 4 was left out: its image feedback/3-9.png is missing or not a PNG.',
      'Review 5 was left out (moreImages.0): must name a feedback/N-K.png file in the session.',
    ]);
  });

  it('leaves out each bad item with a sentence naming it and keeps the rest', () => {
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(writeSessionZip(session()))['session.json']));
    manifest.regions[1].shape = { kind: 'polygon', points: [{ x: 0, y: 0 }] };
    manifest.answers[0].status = 'finished';
    manifest.feedback = [{ ...manifest.feedback[0], image: '../../etc/passwd' }];
    const zip = zipSync({ 'session.json': strToU8(JSON.stringify(manifest)) });
    const { session: read, problems } = readSessionZip(zip, 'mine.zip');
    expect(read?.regions.map((r) => r.id)).toEqual(['r1']);
    expect(read?.answers.map((a) => a.id)).toEqual([2]);
    expect(read?.feedback).toEqual([]);
    expect(problems).toEqual([
      'Region 2 was left out (shape.points): needs at least 3 points.',
      expect.stringMatching(/^Answer 1 was left out \(status\): /),
      'Review 1 was left out (image): must name a feedback/N.png file in the session.',
    ]);
  });

  it('refuses what is not a session, another format version, and files over the size bound, each with one sentence', () => {
    expect(readSessionZip(strToU8('hello'), 'notes.txt').problems).toEqual([
      'notes.txt is not a PathoLens session file (not a readable zip). Choose a .patholens.zip file saved by "Export session".',
    ]);
    expect(readSessionZip(zipSync({ 'bank.json': strToU8('{}') }), 'bank.zip').problems).toEqual([
      'bank.zip has no session.json: it is not a PathoLens session file.',
    ]);
    expect(readSessionZip(zipSync({ 'session.json': strToU8('{') }), 'x.zip').problems[0]).toMatch(/^session\.json in x\.zip is not valid JSON/);
    const future = { ...JSON.parse(new TextDecoder().decode(unzipSync(writeSessionZip(session()))['session.json'])), version: 2 };
    expect(readSessionZip(zipSync({ 'session.json': strToU8(JSON.stringify(future)) })).problems).toEqual([
      'session.json (version): is not 1 (this PathoLens reads session files of version 1).',
    ]);
    const huge = new Uint8Array(MAX_SESSION_FILE_BYTES + 1);
    expect(readSessionZip(huge, 'huge.zip')).toEqual({
      session: null,
      problems: [`huge.zip is 200.0 MB; PathoLens opens session files up to 200 MB.`],
    });
    // A zip bomb: small on disk, over the unpacked bound (bounds scaled down to keep the test quick).
    const bomb = zipSync({ 'snapshots/a.png': new Uint8Array(8 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(readSessionZip(bomb, 'bomb.zip', { fileBytes: 1024 * 1024, unpackedBytes: 4 * 1024 * 1024 }).problems).toEqual([
      'bomb.zip unpacks to more than 4 MB; PathoLens does not open it.',
    ]);
  });

  it('an import adds to the slide without dropping anything, follows new ids, and a second import adds nothing', () => {
    const imported = session();
    // Here already: r1 as exported, and another region that took the id r2; one answer of the file, and one of our own.
    const hereRegions = [region('r1'), region('r2', { name: 'Mine' })];
    const hereAnswers = [answer(1), answer(7, { conversationId: 'mine', question: 'Our own', createdAt: 999 })];
    const match = matchRegions(hereRegions, imported.regions);
    const toAdd = match.toAdd;
    expect(toAdd.map((r) => r.id)).toEqual(['r2']);
    const addedAs = [{ id: 'r2-new' }]; // what the slide store gives when an id is taken
    const roiIds = regionIdMap(match, addedAs);
    const merged = mergeAnswers(hereAnswers, [...imported.answers, answer(3, { roiId: 'r2', conversationId: 'c2', status: 'streaming' })], roiIds);
    expect(merged.answers.map((a) => [a.id, a.question, a.roiId, a.status])).toEqual([
      [1, 'Question 1', 'r1', 'done'],
      [7, 'Our own', 'r1', 'done'],
      [8, 'Question 2', 'r1', 'stopped'],
      [9, 'Question 3', 'r2-new', 'stopped'],
    ]);
    expect(merged.added).toBe(2);
    expect([...merged.answerIdMap]).toEqual([
      [1, 1],
      [2, 8],
      [3, 9],
    ]);
    // Reviews follow their answers' ids; an older copy of one here is replaced, an equal one is not.
    const review = { ...imported.feedback[0]!, id: 'ask:c1:2', updatedAt: 10 };
    expect(feedbackToSave([], [review], merged.answerIdMap).map((r) => r.id)).toEqual(['ask:c1:8']);
    expect(feedbackToSave([{ id: 'ask:c1:8', updatedAt: 10 }], [review], merged.answerIdMap)).toEqual([]);
    expect(feedbackToSave([{ id: 'ask:c1:8', updatedAt: 3 }], [review], merged.answerIdMap)).toHaveLength(1);
    // An "Ask the slide" review keeps its id (slide and creation time, which the import keeps), images and all.
    const slideReview = imported.feedback[2]!;
    expect(feedbackToSave([], [slideReview], merged.answerIdMap)).toEqual([slideReview]);
    expect(slideReviewId({ slideIdentity: 'file:here', createdAt: 50 })).toBe(slideReviewId({ slideIdentity: 'file:here', createdAt: 50 }));
    expect(slideReviewId({ slideIdentity: 'file:here', createdAt: 50 })).not.toBe(slideReviewId({ slideIdentity: 'file:there', createdAt: 50 }));
    // The same file again: nothing new.
    const afterRegions = [...hereRegions, { ...toAdd[0]!, id: 'r2-new' }];
    const second = matchRegions(afterRegions, imported.regions);
    expect(second.toAdd).toEqual([]);
    expect([...regionIdMap(second, [])]).toEqual([
      ['r1', 'r1'],
      ['r2', 'r2-new'],
    ]);
    const again = mergeAnswers(merged.answers, imported.answers, roiIds);
    expect(again.added).toBe(0);
    expect(again.answers).toEqual(merged.answers);
    // "Ask the slide" answers: added once with a new id after those here, taken over by this slide.
    const slideMerge = mergeSlideAnswers([{ id: 4, question: 'Ours', createdAt: 1 }], imported.slideAnswers, 'file:here');
    expect(slideMerge.answers.map((a) => [a.id, a.question])).toEqual([
      [4, 'Ours'],
      [5, 'Where is the tumour?'],
    ]);
    expect(mergeSlideAnswers(slideMerge.answers, imported.slideAnswers, 'file:here').added).toBe(0);
  });
});
