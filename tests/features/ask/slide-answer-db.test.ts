import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { indexedDbSlideAnswerPersistence } from '../../../src/features/ask/slide/slide-answer-db';
import { DEFAULT_GENERATION_SETTINGS } from '../../../src/inference/generation-settings';
import { createSlideAskStore, type SlideAnswer } from '../../../src/features/ask/slide/slide-ask-store';

const region = {
  rect: { x: 256, y: 512, width: 1280, height: 1280 },
  score: 2.5,
  origin: 'PathoCLIP: “Necrosis”',
  number: 1,
  readNote: '224 x 224 px at 11.7x',
  tokens: 64,
};

const answer = (id: number, patch: Partial<SlideAnswer> = {}): SlideAnswer => ({
  id,
  slideIdentity: 'slide-a',
  question: `Q${id}`,
  options: ['Necrosis'],
  status: 'done',
  regions: [region],
  budgetNote: null,
  promptTokens: 300,
  reply: '<answer>A</answer>',
  reasoning: '',
  answer: 'A',
  reasoningClosed: false,
  backend: 'WASM · q4',
  createdAt: 1,
  ...patch,
});

describe('Ask the slide answers saved with the slide', () => {
  it('come back with their regions; unfinished ones stopped; damaged records left out', async () => {
    const db = indexedDbSlideAnswerPersistence(`test-${Math.random()}`);
    await db.save('slide-a', [answer(1), answer(2, { status: 'reading-regions' }), { id: 3 } as unknown as SlideAnswer]);
    const restored = await db.load('slide-a');
    expect(restored.map((entry) => [entry.id, entry.status])).toEqual([
      [1, 'done'],
      [2, 'stopped'],
    ]);
    expect(restored[0]!.regions).toEqual([region]);
    expect(await db.load('slide-b')).toEqual([]);
  });

  it('restored, a follow-up starts from the last answer’s regions and new answers take new ids', async () => {
    const store = createSlideAskStore();
    store.getState().restore([answer(4), answer(9)]);
    expect(store.getState().nextRegions).toEqual([{ rect: region.rect, score: region.score, origin: region.origin }]);
    const refused = await store.getState().ask(
      { question: ' ', options: [], settings: DEFAULT_GENERATION_SETTINGS, magnification: 20, chainOfDraft: false, regions: 'search' },
      { slide: null as never, slideIdentity: 'slide-a', maxPixels: 1_003_520 },
      {
        backendLabel: () => 'WASM · q4',
        generate: () => Promise.reject(new Error('not asked')),
        slideIndex: () => Promise.reject(new Error('not asked')),
        showRegions: () => undefined,
      },
    );
    expect(refused.id).toBe(10);
    expect(refused.error).toBe('The question is empty: type a question or pick a preset.');
    store.getState().restore([]);
    expect(store.getState().nextRegions).toEqual([]);
  });
});
