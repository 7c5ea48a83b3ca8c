// @vitest-environment jsdom
/**
 * The feedback panel rendered with React in jsdom: marking an answer correct saves a record with the image's PNG
 * bytes; correcting it saves the edits; reopening the panel shows what was saved.
 */
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedbackPanel, memoryFeedbackStore, type FeedbackPanelProps, type FeedbackStore } from '../../../src/features/feedback';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
let root: Root | null = null;
let host: HTMLElement;

async function render(store: FeedbackStore, props: Partial<FeedbackPanelProps> = {}) {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  await act(async () => {
    root!.render(
      createElement(FeedbackPanel, {
        id: 'ask:7',
        source: 'ask',
        image: new Blob([PNG], { type: 'image/png' }),
        question: 'What is the most likely diagnosis?',
        options: ['Adenoma', 'Adenocarcinoma'],
        reasoning: 'Glands look regular.',
        answer: 'A',
        store,
        ...props,
      }),
    );
  });
}

const byText = (text: string) => [...host.querySelectorAll('button')].find((button) => button.textContent === text)!;
const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 20)));

function type(element: HTMLTextAreaElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
  setter.call(element, value);
  element.dispatchEvent(new Event('input', { bubbles: true }));
}

afterEach(() => {
  act(() => root?.unmount());
  host?.remove();
  root = null;
});

describe('FeedbackPanel', () => {
  it('saves "correct" with the image bytes, then a correction; a new panel for the same answer shows it', async () => {
    const store = memoryFeedbackStore();
    await render(store);
    await act(async () => byText('Correct').click());
    await settle();
    expect(await store.get('ask:7')).toMatchObject({
      verdict: 'correct',
      answer: 'A',
      originalAnswer: 'A',
      source: 'ask',
      options: ['Adenoma', 'Adenocarcinoma'],
    });
    // jsdom's FileReader hands back another realm's Uint8Array: compare the bytes.
    expect(Array.from((await store.get('ask:7'))!.imagePng)).toEqual(Array.from(PNG));
    expect(host.querySelector('[role="status"]')!.textContent).toBe('Saved: marked correct.');

    await act(async () => byText('Incorrect').click());
    const [reasoning, answer] = [...host.querySelectorAll('textarea')];
    await act(async () => {
      type(reasoning!, 'Back-to-back glands with nuclear atypia.');
      type(answer!, 'B');
    });
    await act(async () => byText('Save correction').click());
    await settle();
    expect(await store.get('ask:7')).toMatchObject({
      verdict: 'incorrect',
      reasoning: 'Back-to-back glands with nuclear atypia.',
      answer: 'B',
      originalReasoning: 'Glands look regular.',
    });
    expect(host.querySelector('[role="status"]')!.textContent).toBe('Saved: marked incorrect, with your correction.');

    act(() => root!.unmount());
    await render(store);
    await settle();
    expect(byText('Incorrect').getAttribute('aria-pressed')).toBe('true');
    expect(host.querySelector('[role="status"]')!.textContent).toBe('Saved: marked incorrect, with your correction.');
  });

  it('an "Ask the slide" answer keeps every region image in prompt order; a follow-up keeps the turns before it; a later save keeps both as first saved', async () => {
    const store = memoryFeedbackStore();
    const region = (seed: number) => new Blob([new Uint8Array([...PNG, seed])], { type: 'image/png' });
    await render(store, { id: 'ask-slide:abc:5', source: 'ask-slide', image: region(1), moreImages: [region(2), region(3)] });
    await act(async () => byText('Correct').click());
    await settle();
    const saved = (await store.get('ask-slide:abc:5'))!;
    expect(saved.source).toBe('ask-slide');
    expect([saved.imagePng, ...saved.moreImagesPng!].map((png) => png.at(-1))).toEqual([1, 2, 3]);
    expect(saved.earlierTurns).toBeUndefined();
    act(() => root!.unmount());

    const earlierTurns = [
      { question: 'What is the most likely diagnosis?', options: ['Adenoma', 'Adenocarcinoma'], reply: '<think>x</think><answer>A</answer>' },
    ];
    await render(store, { id: 'ask:c1:2', question: 'What grade?', options: [], earlierTurns });
    await act(async () => byText('Correct').click());
    await settle();
    expect(await store.get('ask:c1:2')).toMatchObject({ question: 'What grade?', earlierTurns });
    expect((await store.get('ask:c1:2'))!.moreImagesPng).toBeUndefined();
    act(() => root!.unmount());
    // The same answer reviewed again (e.g. after the conversation grew): what the model was given stays as first saved.
    await render(store, { id: 'ask:c1:2', question: 'What grade?', options: [], earlierTurns: [...earlierTurns, ...earlierTurns] });
    await settle();
    await act(async () => byText('Incorrect').click());
    await settle();
    expect(await store.get('ask:c1:2')).toMatchObject({ verdict: 'incorrect', earlierTurns });
  });
});
