// @vitest-environment jsdom
/**
 * The feedback panel rendered with React in jsdom: marking an answer correct saves a record with the image's PNG
 * bytes; correcting it saves the edits; reopening the panel shows what was saved.
 */
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedbackPanel, memoryFeedbackStore, type FeedbackStore } from '../../../src/features/feedback';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
let root: Root | null = null;
let host: HTMLElement;

async function render(store: FeedbackStore) {
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
});
