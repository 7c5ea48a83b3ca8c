import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { indexedDbAnswerPersistence, syncAnswersWithSlide, type AnswerPersistence } from '../../../src/features/ask/answer-db';
import { createAskStore, type AskAnswer } from '../../../src/features/ask/ask-store';
import { createStore } from 'zustand/vanilla';

const answer = (id: number, patch: Partial<AskAnswer> = {}): AskAnswer => ({
  id,
  conversationId: 'c1',
  roiId: 'roi-1',
  question: `Q${id}`,
  options: [],
  chainOfDraft: false,
  reply: '<answer>A</answer>',
  reasoning: '',
  answer: 'A',
  reasoningClosed: false,
  status: 'done',
  backend: 'WASM · q4',
  regionNote: '',
  createdAt: 1,
  ...patch,
});

/** An answer as format 1 saved it (before conversations): no conversationId. */
const formatOneAnswer = (id: number, patch: Partial<AskAnswer> = {}) => {
  const { conversationId: _dropped, ...saved } = answer(id, patch);
  return saved;
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('answer persistence', () => {
  it('stores answers per slide in IndexedDB; unfinished ones come back stopped', async () => {
    const db = indexedDbAnswerPersistence(`test-${Math.random()}`);
    await db.save('slide-a', [answer(1), answer(2, { status: 'streaming', reply: '<think>half' })]);
    await db.save('slide-b', [answer(7)]);
    const restored = await db.load('slide-a');
    expect(restored.map((entry) => [entry.id, entry.status])).toEqual([
      [1, 'done'],
      [2, 'stopped'],
    ]);
    expect(await db.load('slide-b')).toHaveLength(1);
    expect(await db.load('never-opened')).toEqual([]);
  });

  it('reads answers saved by format 1 (no conversations) back as the threads they were: per region, per exact view', async () => {
    const db = indexedDbAnswerPersistence(`test-${Math.random()}`);
    const view = { x: 0, y: 0, width: 4000, height: 3000 };
    const saved = [
      formatOneAnswer(1),
      formatOneAnswer(2),
      formatOneAnswer(3, { roiId: 'roi-2' }),
      formatOneAnswer(4, { roiId: null, bounds: view }),
      formatOneAnswer(5, { roiId: null, bounds: { ...view } }),
      formatOneAnswer(6, { roiId: null, bounds: { ...view, x: 10 } }),
    ];
    await db.save('slide-a', saved as AskAnswer[]);
    const restored = await db.load('slide-a');
    expect(restored.map((entry) => entry.id)).toEqual([1, 2, 3, 4, 5, 6]);
    const threads = restored.map((entry) => entry.conversationId);
    expect(threads.every((thread) => typeof thread === 'string')).toBe(true);
    expect(new Set(threads).size).toBe(4);
    expect(threads[0]).toBe(threads[1]);
    expect(threads[3]).toBe(threads[4]);
    expect(threads[5]).not.toBe(threads[4]);
    // A conversation restored that way continues: its follow-up gets the earlier answers, and keeps their thread.
    const ask = createAskStore();
    ask.getState().restore(restored);
    ask.getState().followSelection('roi-1');
    expect(ask.getState().activeConversationId).toBe(threads[0]);
  });

  it('follows the open slide: saves as answers change and restores them when the slide is opened again', async () => {
    const persistence: AnswerPersistence = indexedDbAnswerPersistence(`test-${Math.random()}`);
    const slide = createStore<{ identity: string | null }>()(() => ({ identity: 'slide-a' }));
    const ask = createAskStore();
    const errors: string[] = [];
    const stop = syncAnswersWithSlide({
      persistence,
      currentSlideIdentity: () => slide.getState().identity,
      subscribeToSlide: (listener) => slide.subscribe(listener),
      getAnswers: () => ask.getState().answers,
      subscribeToAnswers: (listener) => ask.subscribe(listener),
      restore: (answers) => ask.getState().restore(answers),
      reportError: (sentence) => errors.push(sentence),
      saveEveryMs: 5,
    });
    await settle();
    ask.getState().restore([answer(1), answer(2)]);
    await settle();
    slide.setState({ identity: 'slide-b' });
    // Polled, not a fixed wait: IndexedDB (fake-indexeddb) takes longer than 30 ms on a loaded machine.
    await expect.poll(() => ask.getState().answers).toEqual([]);
    slide.setState({ identity: 'slide-a' });
    await expect.poll(() => ask.getState().answers.map((entry) => entry.id)).toEqual([1, 2]);
    stop();
    expect(errors).toEqual([]);
  });

  it('saves at once when no answer is in progress (a reload right after cannot lose it), never over a slide it is loading', async () => {
    const persistence: AnswerPersistence = indexedDbAnswerPersistence(`test-${Math.random()}`);
    await persistence.save('slide-b', [answer(7)]);
    const slide = createStore<{ identity: string | null }>()(() => ({ identity: 'slide-a' }));
    const ask = createAskStore();
    let answering = true;
    const stop = syncAnswersWithSlide({
      persistence,
      currentSlideIdentity: () => slide.getState().identity,
      subscribeToSlide: (listener) => slide.subscribe(listener),
      getAnswers: () => ask.getState().answers,
      subscribeToAnswers: (listener) => ask.subscribe(listener),
      restore: (answers) => ask.getState().restore(answers),
      reportError: () => undefined,
      saveEveryMs: 60_000,
      isAnswering: () => answering,
    });
    await settle();
    ask.getState().restore([answer(1, { status: 'streaming' })]);
    await settle();
    expect(await persistence.load('slide-a')).toEqual([]); // throttled while answering
    answering = false;
    ask.getState().restore([answer(1)]);
    await settle();
    expect((await persistence.load('slide-a')).map((entry) => entry.status)).toEqual(['done']);
    slide.setState({ identity: 'slide-b' });
    await settle();
    expect(ask.getState().answers.map((entry) => entry.id)).toEqual([7]);
    expect((await persistence.load('slide-b')).map((entry) => entry.id)).toEqual([7]);
    stop();
  });
});
