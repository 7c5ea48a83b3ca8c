/**
 * The "Ask the slide" flow in Node: a generated slide with planted stains indexed by the real index builder (the
 * colour stand-in PathoCLIP), regions planned within the budget, read from the slide and sent in one prompt to a
 * scripted Patho-R1; follow-ups with regions removed and added; failures as sentences.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATION_SETTINGS } from '../../../src/inference/generation-settings';
import type { ChatMessage } from '../../../src/inference/patho-r1-prompt';
import type { RgbaImage } from '../../../src/slide/slide-source';
import { buildSlideIndex } from '../../../src/features/search/index-builder';
import { scoreAllTiles } from '../../../src/features/search/similarity';
import { createSlideAskStore, type ShownRegion, type SlideAskDependencies, type SlideAskRequest } from '../../../src/features/ask/slide/slide-ask-store';
import { DEFAULT_REGION_SELECTION } from '../../../src/features/ask/slide/region-selection';
import { colourEngine } from '../search/colour-engine';
import { memorySlide, tissuePicture } from '../search/generated-slides';

const tile = 128;
const picture = tissuePicture(2048, 2048, [
  { x: 3 * tile, y: 2 * tile, width: 2 * tile, height: 2 * tile, stain: 'eosin' },
  { x: 10 * tile, y: 11 * tile, width: 3 * tile, height: 2 * tile, stain: 'hematoxylin' },
  { x: tile, y: tile, width: 14 * tile, height: 14 * tile },
]);

function setup(options: { failIndex?: boolean } = {}) {
  const source = memorySlide(picture);
  const engine = colourEngine();
  const calls = { index: 0, prompts: [] as { messages: ChatMessage[]; images: RgbaImage[] }[], outlines: [] as ShownRegion[][] };
  const dependencies: SlideAskDependencies = {
    backendLabel: () => 'WASM · q4',
    async slideIndex() {
      calls.index++;
      if (options.failIndex) throw new Error('No tissue was found on memory.svs');
      const index = await buildSlideIndex({ source, slideIdentity: 'file:planted', engine, magnification: 10 });
      return {
        grid: index.grid,
        cells: index.cells,
        scoreTexts: async (texts) =>
          Promise.all((await engine.embedTexts([...texts])).map((vector) => scoreAllTiles(index, vector, { pause: async () => undefined }))),
      };
    },
    showRegions: (_identity, regions) => calls.outlines.push([...regions]),
    async generate(request, callbacks) {
      calls.prompts.push({ messages: request.messages, images: request.images });
      for (const piece of ['<think> Region 1 shows', ' eosin. </think>', '<answer> A </answer>']) callbacks.onText(piece);
      return { stopped: false, stats: { promptTokens: 100, reusedTokens: 0, newTokens: 3, timeToFirstTokenMs: 5, tokensPerSecond: 10 } };
    },
  };
  return { source, dependencies, calls };
}

const request = (regions: SlideAskRequest['regions'] = 'search'): SlideAskRequest => ({
  question: 'red',
  options: ['red', 'blue'],
  settings: DEFAULT_GENERATION_SETTINGS,
  magnification: 20,
  chainOfDraft: false,
  regions,
});

describe('Ask the slide', () => {
  it('finds the planted regions, outlines them numbered, and sends them as Region 1, Region 2… in one prompt', async () => {
    const { source, dependencies, calls } = setup();
    const store = createSlideAskStore({ ...DEFAULT_REGION_SELECTION, candidateTiles: 10 });
    const answer = await store.getState().ask(request(), { slide: source, slideIdentity: 'file:planted', maxPixels: 1_003_520 }, dependencies);
    expect(answer.status).toBe('done');
    expect(answer.answer).toBe('A');
    expect(answer.regions.map((region) => region.number)).toEqual([1, 2]);
    expect(answer.regions.map((region) => region.origin).sort()).toEqual(['PathoCLIP: “blue”', 'PathoCLIP: “red”']);
    expect(answer.budgetNote).toBeNull();
    expect(answer.regions[0]!.readNote).toMatch(/ px at 20x$/);
    expect(calls.outlines.at(-1)!.map((region) => region.rect)).toEqual(answer.regions.map((region) => region.rect));
    const prompt = calls.prompts[0]!;
    expect(prompt.images).toHaveLength(2);
    // Each image is its region read at 20x (0.5 µm/px on a 0.25 µm/px slide): half its level-0 size.
    prompt.images.forEach((image, k) => expect([image.width, image.height]).toEqual([answer.regions[k]!.rect.width / 2, answer.regions[k]!.rect.height / 2]));
    const user = prompt.messages[1]!.content;
    expect(user.filter((part) => part.type === 'image')).toHaveLength(2);
    expect(user[0]).toEqual({ type: 'text', text: 'Region 1: ' });
    expect(user[2]).toEqual({ type: 'text', text: '\nRegion 2: ' });
    expect(store.getState().nextRegions.map((region) => region.rect)).toEqual(answer.regions.map((region) => region.rect));
  });

  it('asks a follow-up about the edited regions without searching again', async () => {
    const { source, dependencies, calls } = setup();
    const store = createSlideAskStore({ ...DEFAULT_REGION_SELECTION, candidateTiles: 10 });
    const slide = { slide: source, slideIdentity: 'file:planted', maxPixels: 1_003_520 };
    await store.getState().ask(request(), slide, dependencies);
    store.getState().removeNextRegion(0);
    store.getState().addNextRegion({ rect: { x: 0, y: 0, width: 512, height: 512 }, score: null, origin: 'your region “ROI 1”' });
    const followUp = await store.getState().ask({ ...request(store.getState().nextRegions), question: 'And now?' }, slide, dependencies);
    expect(calls.index).toBe(1);
    expect(followUp.status).toBe('done');
    expect(followUp.regions.map((region) => region.origin)[1]).toBe('your region “ROI 1”');
    expect(calls.prompts[1]!.images).toHaveLength(2);
    expect(calls.prompts[1]!.messages[1]!.content.at(-1)).toEqual({ type: 'text', text: '\nAnd now?\nA. red\nB. blue' });
  });

  it('shows fewer, coarser regions when the budget is small, and says so', async () => {
    const { source, dependencies, calls } = setup();
    const store = createSlideAskStore();
    store.getState().setTokenBudget(400);
    const answer = await store.getState().ask(request(), { slide: source, slideIdentity: 'file:planted', maxPixels: 1_003_520 }, dependencies);
    expect(answer.status).toBe('done');
    expect(answer.budgetNote).toMatch(/^The \d+ regions found do not fit in 400 tokens at 20x, so Patho-R1 sees/);
    expect(answer.promptTokens!).toBeLessThanOrEqual(400);
    expect(calls.prompts[0]!.images).toHaveLength(answer.regions.length);
  });

  it('says why when the slide cannot be indexed, and asks nothing', async () => {
    const { source, dependencies, calls } = setup({ failIndex: true });
    const answer = await createSlideAskStore().getState().ask(request(), { slide: source, slideIdentity: 'file:planted', maxPixels: 1_003_520 }, dependencies);
    expect(answer.status).toBe('error');
    expect(answer.error).toBe(
      'The regions for this question could not be found: No tissue was found on memory.svs. Index the slide in the Search tab, or ask about a region instead.',
    );
    expect(calls.prompts).toHaveLength(0);
  });
});
