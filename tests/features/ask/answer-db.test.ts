import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { indexedDbAnswerPersistence, syncAnswersWithSlide, type AnswerPersistence } from '../../../src/features/ask/answer-db';
import { createAskStore, type AskAnswer } from '../../../src/features/ask/ask-store';
import { createStore } from 'zustand/vanilla';

const answer = (id: number, patch: Partial<AskAnswer> = {}): AskAnswer => ({
  id,
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
    await settle();
    expect(ask.getState().answers).toEqual([]);
    slide.setState({ identity: 'slide-a' });
    await settle();
    expect(ask.getState().answers.map((entry) => entry.id)).toEqual([1, 2]);
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
