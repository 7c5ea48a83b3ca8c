// @vitest-environment jsdom
/**
 * The Practise and Exam views rendered with React in jsdom, on the demo bank, with the history in fake-indexeddb:
 * keys choose and submit, the answer is judged and saved, N goes on; an exam keeps changed answers until submitted,
 * then scores and reviews every question.
 */
import 'fake-indexeddb/auto';
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteDB } from 'idb';
import { PRACTICE } from '../../../src/storage/schema';
import { DEMO_BANK } from '../../../src/features/practice/demo-bank';
import { PractiseView } from '../../../src/features/practice/PractiseView';
import { ExamView } from '../../../src/features/practice/ExamView';
import { practiceHistoryStore } from '../../../src/features/practice/practice-store';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
let host: HTMLElement;

async function render(element: ReturnType<typeof createElement>) {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  await act(async () => root!.render(element));
}

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 30)));
const button = (text: RegExp | string) =>
  [...host.querySelectorAll('button')].find((b) => (typeof text === 'string' ? b.textContent === text : text.test(b.textContent ?? '')))!;
const testId = (id: string) => host.querySelector<HTMLElement>(`[data-testid="${id}"]`);

async function press(key: string) {
  const target = testId('practice-question')!;
  await act(async () => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  });
}

afterEach(async () => {
  act(() => root?.unmount());
  host?.remove();
  root = null;
  await practiceHistoryStore.getState().close();
  await deleteDB(PRACTICE.dbName);
});

describe('Practise view', () => {
  it('keys choose and submit; the right answer and explanation show; the answer is saved; N goes on', async () => {
    await practiceHistoryStore.getState().load();
    await render(createElement(PractiseView, { banks: [DEMO_BANK], bankId: 'demo', onBankChange: () => undefined, shown: false }));
    expect(testId('practice-question')!.dataset.questionId).toBe('demo-nuclei');
    expect(testId('practice-queue-summary')!.textContent).toBe('0 due for review, 3 new.');
    // The viewer is not open here: the demo-slide region is a sentence saying which slide to open.
    expect(testId('practice-image-note')!.textContent).toMatch(/on the demo slide: open it/);

    await press('Enter');
    expect(host.querySelector('[role="alert"]')!.textContent).toMatch(/Choose an option first/);
    await press('3');
    expect(button(/^C\./).getAttribute('aria-pressed')).toBe('true');
    await press('9'); // no ninth option: nothing changes
    expect(button(/^C\./).getAttribute('aria-pressed')).toBe('true');
    await press('b');
    await press('Enter');
    await settle();
    expect(testId('practice-result')!.textContent).toBe('Not right. The answer is A. Cell nuclei stained by haematoxylin.');
    expect(testId('practice-explanation')!.textContent).toBe(DEMO_BANK.questions[0]!.explanation);
    expect(practiceHistoryStore.getState().attempts).toMatchObject([
      { bankId: 'demo', questionId: 'demo-nuclei', chosen: 1, correct: false, grade: 'again', mode: 'practice' },
    ]);
    // Letters no longer choose once answered.
    await press('a');
    expect(button(/^B\./).getAttribute('aria-pressed')).toBe('true');

    await press('n');
    expect(testId('practice-question')!.dataset.questionId).toBe('demo-stroma');
    expect(testId('practice-result')).toBeNull();
    expect(testId('practice-queue-summary')!.textContent).toBe('0 due for review, 2 new.');
  });
});

describe('Exam view', () => {
  it('draws by tag, keeps the last answer given, scores and reviews on submit, and saves exam answers', async () => {
    await practiceHistoryStore.getState().load();
    await render(createElement(ExamView, { banks: [DEMO_BANK], bankId: 'demo', onBankChange: () => undefined, shown: false }));
    const orientation = [...host.querySelectorAll('label')].find((l) => l.textContent === 'orientation')!.querySelector('input')!;
    await act(async () => orientation.click());
    await act(async () => button('Start exam').click());
    expect(testId('exam-running')!.textContent).toContain('Question 1 of 1');
    expect(testId('exam-running')!.textContent).toContain('Only 1 questions match these filters');
    expect(testId('exam-time-left')!.textContent).toBe('10:00');
    await act(async () => button(/^A\./).click());
    await act(async () => button(/^D\./).click());
    expect(button(/^D\./).getAttribute('aria-pressed')).toBe('true');
    expect(host.textContent).not.toContain('The answer');
    await act(async () => button('Submit exam').click());
    await settle();
    expect(testId('exam-score')!.textContent).toBe('Score: 0 of 1 (0%).');
    const review = host.querySelectorAll('[data-testid="exam-review-item"]');
    expect(review).toHaveLength(1);
    expect(review[0]!.textContent).toContain('your answer D. Lymphoid tissue; the answer A. Empty glass with no tissue.');
    expect(practiceHistoryStore.getState().attempts).toMatchObject([{ questionId: 'demo-glass', chosen: 3, correct: false, mode: 'exam' }]);
  });
});
