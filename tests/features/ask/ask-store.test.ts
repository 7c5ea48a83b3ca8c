import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PathoR1Runtime } from '../../../src/inference/patho-r1-runtime';
import { TokenClock } from '../../../src/inference/worker-protocol';
import type { ChatMessage } from '../../../src/inference/patho-r1-prompt';
import type { ReadRegionResult, SlideMetadata, SlideRect, SlideSource } from '../../../src/slide/slide-source';
import { createAskStore, type AskDependencies } from '../../../src/features/ask/ask-store';

/** An in-memory slide: a pink field with purple dots, 0.25 µm/px, recording the reads it serves. */
function fakeSlide(mpp: number | null = 0.25) {
  const reads: { rect: SlideRect; targetMpp: number | null }[] = [];
  const metadata: SlideMetadata = {
    name: 'fake.svs',
    format: 'aperio-svs',
    vendor: 'Aperio',
    width: 8000,
    height: 6000,
    levels: [{ width: 8000, height: 6000, downsample: 1, tileWidth: 256, tileHeight: 256 }],
    mppX: mpp,
    mppY: mpp,
    objectivePower: 40,
    compression: 'JPEG',
    associatedImages: [],
    properties: {},
  };
  const slide: SlideSource = {
    metadata,
    readTile: () => Promise.reject(new Error('not used')),
    readAssociatedImage: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
    async readRegion(rect, targetMpp): Promise<ReadRegionResult> {
      reads.push({ rect, targetMpp });
      const scale = targetMpp && mpp ? mpp / targetMpp : 1;
      const width = Math.round(rect.width * scale);
      const height = Math.round(rect.height * scale);
      const data = new Uint8ClampedArray(width * height * 4);
      for (let index = 0; index < width * height; index++) {
        const purple = index % 97 < 9;
        data.set(purple ? [90, 50, 140, 255] : [230, 170, 200, 255], index * 4);
      }
      return { width, height, data, mpp: targetMpp, level: 0, downsample: 1 };
    },
  };
  return { slide, reads };
}

function scriptedModel(chunks: string[], seen: ChatMessage[][] = []): AskDependencies {
  return {
    backendLabel: () => 'WASM · q4',
    async generate(request, { onText, signal }) {
      seen.push(request.messages);
      const clock = new TokenClock();
      for (const chunk of chunks) {
        if (signal.aborted) return { stopped: true, stats: clock.stats(10) };
        await new Promise((resolve) => setTimeout(resolve, 1));
        clock.tick();
        onText(chunk);
      }
      return { stopped: false, stats: clock.stats(10) };
    },
  };
}

const bounds = { x: 1000, y: 1000, width: 800, height: 600 };

describe('ask store', () => {
  it('reads the ROI at 20x, streams, and splits reasoning from answer', async () => {
    const store = createAskStore();
    const { slide, reads } = fakeSlide();
    const answer = await store
      .getState()
      .ask(
        'What is the most likely diagnosis?',
        [],
        { slide, roiId: 'r1', bounds, maxPixels: 1_000_000 },
        scriptedModel(['<thi', 'nk>Crowded glands', '</think><ans', 'wer>Adenocarcinoma</answer>']),
      );
    expect(reads).toEqual([{ rect: bounds, targetMpp: 0.5 }]);
    expect(answer).toMatchObject({
      status: 'done',
      reasoning: 'Crowded glands',
      answer: 'Adenocarcinoma',
      reasoningClosed: true,
      backend: 'WASM · q4',
      regionNote: '400 x 300 px at 20.0x',
    });
    expect(answer.stats!.newTokens).toBe(4);
    expect(store.getState().busy).toBe(false);
  });

  it('continues the conversation on the same ROI with the image only in the first turn', async () => {
    const store = createAskStore();
    const { slide } = fakeSlide();
    const seen: ChatMessage[][] = [];
    const model = scriptedModel(['<think>a</think><answer>b</answer>'], seen);
    await store.getState().ask('Describe the histological features', [], { slide, roiId: 'r1', bounds, maxPixels: 1e6 }, model);
    await store.getState().ask('Grade this tumour', [], { slide, roiId: 'r1', bounds, maxPixels: 1e6 }, model);
    await store.getState().ask('Other region?', [], { slide, roiId: 'r2', bounds, maxPixels: 1e6 }, model);
    expect(seen[1]!.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(seen[1]![1]!.content[0]).toEqual({ type: 'image' });
    expect(seen[1]![3]!.content).toEqual([{ type: 'text', text: 'Grade this tumour' }]);
    expect(seen[2]!.map((message) => message.role)).toEqual(['system', 'user']);
  });

  it('while the first token is awaited, the answer carries when it should come (first turns only), and drops it after', async () => {
    const store = createAskStore();
    const { slide } = fakeSlide();
    const asked: { width: number; height: number }[] = [];
    const expectedWhileStreaming: (number | undefined)[] = [];
    const scripted = scriptedModel(['<think>a</think><answer>b</answer>']);
    const model: AskDependencies = {
      ...scripted,
      firstTokenEstimateMs: (width, height) => {
        asked.push({ width, height });
        return 21_000;
      },
      generate: (request, callbacks) => {
        expectedWhileStreaming.push(store.getState().answers.at(-1)!.expectedFirstTokenAt);
        return scripted.generate(request, callbacks);
      },
    };
    const before = Date.now();
    const first = await store.getState().ask('Describe it', [], { slide, roiId: 'r1', bounds, maxPixels: 1e6 }, model);
    const followUp = await store.getState().ask('Grade it', [], { slide, roiId: 'r1', bounds, maxPixels: 1e6 }, model);
    // The region read at 20x (800 x 600 level-0 px at 0.25 µm/px -> 400 x 300) is what the estimate is asked about.
    expect(asked.filter(({ width, height }) => width === 400 && height === 300)).toHaveLength(1);
    expect(expectedWhileStreaming[0]).toBeGreaterThanOrEqual(before + 21_000);
    expect(expectedWhileStreaming[1]).toBeUndefined();
    expect(first.expectedFirstTokenAt).toBeUndefined();
    expect(followUp.status).toBe('done');
  });

  it('on a slow processor reads a smaller region and says why; "Full-size regions" reads it whole', async () => {
    const store = createAskStore();
    const { slide, reads } = fakeSlide();
    const big = { x: 0, y: 0, width: 4000, height: 3000 }; // 2000 x 1500 px at 20x: over the 1-megapixel maximum
    const model: AskDependencies = { ...scriptedModel(['<answer>b</answer>']), firstTokenEstimateMs: (width, height) => width * height * 0.1 };
    const small = await store.getState().ask('Describe it', [], { slide, roiId: 'r1', bounds: big, maxPixels: 1_003_520 }, model);
    const pixels = (index: number) => {
      const scale = 0.25 / reads[index]!.targetMpp!;
      return Math.round(4000 * scale) * Math.round(3000 * scale);
    };
    expect(pixels(0)).toBeLessThanOrEqual(532 * 532 * 1.001); // rounding of the read size
    expect(pixels(0)).toBeGreaterThan(520 * 520);
    expect(small.regionNote).toMatch(
      /^614 x 46[01] px at 6\.14x \(smaller for this computer's processor: about 28 s to the first token, 1157 x 868 px at 11\.6x would take about 100 s; "Full-size regions" reads it whole\)$/,
    );
    store.getState().setFullSizeRegions(true);
    const whole = await store.getState().ask('Describe it again', [], { slide, roiId: 'r2', bounds: big, maxPixels: 1_003_520 }, model);
    expect(pixels(1)).toBeGreaterThan(1_000_000);
    expect(whole.regionNote).toBe('1157 x 868 px at 11.6x');
  });

  it('without a region, continues only a conversation about exactly the same view', async () => {
    const store = createAskStore();
    const { slide } = fakeSlide();
    const seen: ChatMessage[][] = [];
    const model = scriptedModel(['<answer>x</answer>'], seen);
    const view = { x: 0, y: 0, width: 4000, height: 3000 };
    await store.getState().ask('First', [], { slide, roiId: null, bounds: view, maxPixels: 1e6 }, model);
    await store.getState().ask('Same view', [], { slide, roiId: null, bounds: { ...view }, maxPixels: 1e6 }, model);
    await store.getState().ask('Moved view', [], { slide, roiId: null, bounds: { ...view, x: 500 }, maxPixels: 1e6 }, model);
    expect(seen.map((messages) => messages.length)).toEqual([2, 4, 2]);
  });

  it('a new conversation on the same region carries nothing of the earlier answers into the prompt', async () => {
    const store = createAskStore();
    const { slide } = fakeSlide();
    const seen: ChatMessage[][] = [];
    const model = scriptedModel(['<think>long reasoning</think><answer>b</answer>'], seen);
    const source = { slide, roiId: 'r1', bounds, maxPixels: 1e6 };
    const first = await store.getState().ask('Describe the histological features', [], source, model);
    store.getState().newConversation();
    const mcq = await store.getState().ask('Which grade?', ['G1', 'G2'], source, model);
    expect(seen[1]!.map((message) => message.role)).toEqual(['system', 'user']);
    expect(JSON.stringify(seen[1])).not.toContain('long reasoning');
    expect(mcq.conversationId).not.toBe(first.conversationId);
    // Selecting the region shows its newest conversation; opening the older one continues that one.
    store.getState().followSelection(null);
    expect(store.getState().activeConversationId).toBeNull();
    store.getState().followSelection('r1');
    expect(store.getState().activeConversationId).toBe(mcq.conversationId);
    store.getState().openConversation(first.conversationId);
    const followUp = await store.getState().ask('And the margins?', [], source, model);
    expect(followUp.conversationId).toBe(first.conversationId);
    expect(seen[2]!.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });

  it('regenerates the last answer in place and deletes an answer from its thread', async () => {
    const store = createAskStore();
    const { slide } = fakeSlide();
    const seen: ChatMessage[][] = [];
    const model = scriptedModel(['<answer>b</answer>'], seen);
    const source = { slide, roiId: 'r1', bounds, maxPixels: 1e6 };
    const first = await store.getState().ask('First', [], source, model);
    const second = await store.getState().ask('Second', ['A', 'B'], source, model);
    expect(await store.getState().regenerate(first.id, source, model)).toBeNull(); // not the last of its thread
    const again = await store.getState().regenerate(second.id, source, model);
    expect(again).toMatchObject({ question: 'Second', options: ['A', 'B'], conversationId: first.conversationId, status: 'done' });
    expect(store.getState().answers.map((answer) => answer.question)).toEqual(['First', 'Second']);
    expect(seen[2]!.length).toBe(4); // the regenerated question still follows the first
    store.getState().deleteAnswer(first.id);
    await store.getState().ask('Third', [], source, model);
    expect(seen[3]!.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(JSON.stringify(seen[3])).not.toContain('First');
  });

  it('keeps a stopped answer, marked stopped', async () => {
    const store = createAskStore();
    const { slide } = fakeSlide();
    const chunks = Array.from({ length: 200 }, (_, index) => (index === 0 ? '<think>' : 'step '));
    const pending = store.getState().ask('Grade this tumour', [], { slide, roiId: null, bounds, maxPixels: 1e6 }, scriptedModel(chunks));
    await new Promise((resolve) => setTimeout(resolve, 20));
    store.getState().stop();
    const answer = await pending;
    expect(answer.status).toBe('stopped');
    expect(answer.reasoning).toMatch(/^step/);
    expect(answer.reasoningClosed).toBe(false);
    expect(store.getState().answers).toHaveLength(1);
  });

  it('turns bad input into sentences and keeps earlier answers', async () => {
    const store = createAskStore();
    const { slide } = fakeSlide(null);
    await store.getState().ask('First', [], { slide, roiId: 'r', bounds, maxPixels: 1e6 }, scriptedModel(['x']));
    const empty = await store.getState().ask('   ', [], { slide, roiId: 'r', bounds, maxPixels: 1e6 }, scriptedModel(['x']));
    expect(empty).toMatchObject({ status: 'error', error: 'The question is empty: type a question or pick a preset.' });
    const huge = await store
      .getState()
      .ask('Whole slide', [], { slide, roiId: null, bounds: { x: 0, y: 0, width: 60000, height: 60000 }, maxPixels: 1e6 }, scriptedModel(['x']));
    expect(huge.error).toMatch(/does not say its scale/);
    store.getState().setSettings({ temperature: -1, sample: true });
    const badSettings = await store.getState().ask('Q', [], { slide, roiId: 'r', bounds, maxPixels: 1e6 }, scriptedModel(['x']));
    expect(badSettings.error).toBe('Temperature must be above 0 and at most 5.');
    const failing: AskDependencies = { backendLabel: () => 'WASM', generate: () => Promise.reject(new Error('session lost')) };
    store.getState().setSettings({ temperature: 0.7 });
    const failed = await store.getState().ask('Q', [], { slide, roiId: 'r', bounds, maxPixels: 1e6 }, failing);
    expect(failed.error).toBe('Patho-R1 stopped with an error: session lost. The text so far is kept.');
    expect(store.getState().answers[0]!.status).toBe('done');
  });

  it('drives the real tiny Patho-R1 end to end (region -> runtime -> parser)', async () => {
    const runtime = await PathoR1Runtime.load({ modelRoot: path.resolve('models/tiny'), modelName: 'patho-r1', dtype: 'fp32', device: 'cpu' });
    try {
      const store = createAskStore();
      store.getState().setSettings({ maxNewTokens: 12, minNewTokens: 12 });
      const { slide } = fakeSlide();
      const model: AskDependencies = {
        backendLabel: () => 'CPU · fp32',
        async generate(request, { onText, signal }) {
          const clock = new TokenClock();
          const result = await runtime.generate({ ...request, onText, onToken: () => clock.tick(), signal });
          return { stopped: result.stopped, stats: clock.stats(result.promptTokens) };
        },
      };
      const answer = await store
        .getState()
        .ask('What is the most likely diagnosis?', ['Lymphoma', 'Carcinoma'], { slide, roiId: 'r', bounds, maxPixels: 50176 }, model);
      expect(answer.status).toBe('done');
      expect(answer.stats!.newTokens).toBe(12);
      expect(answer.stats!.promptTokens).toBeGreaterThan(60);
      expect(answer.reply.length).toBeGreaterThan(0);
    } finally {
      await runtime.dispose();
    }
  });
});
