import { describe, expect, it } from 'vitest';
import type { AskAnswer } from '../../../src/features/ask/ask-store';
import { conversationMarkdown } from '../../../src/features/ask/conversation-markdown';
import { conversationSummaries } from '../../../src/features/ask/conversations';
import { firstTokenProgress, liveIndicator } from '../../../src/features/ask/live-indicator';
import { isAtBottom, readerScrolledUp } from '../../../src/features/ask/stick-to-bottom';
import { visibleModelText } from '../../../src/features/ask/visible-text';

const answer = (id: number, patch: Partial<AskAnswer> = {}): AskAnswer => ({
  id,
  conversationId: 'c1',
  roiId: 'roi-1',
  bounds: { x: 10, y: 20, width: 300, height: 200 },
  question: `Q${id}`,
  options: [],
  chainOfDraft: false,
  reply: '',
  reasoning: '',
  answer: 'A',
  reasoningClosed: true,
  status: 'done',
  backend: 'WASM · q4',
  regionNote: '512 x 512 px at 20x',
  createdAt: id,
  ...patch,
});

describe('Ask conversation view', () => {
  it('never shows special tokens or half characters', () => {
    expect(visibleModelText('Adeno<|fim_suffix|>carcinoma\uFFFD<|im_end|>')).toBe('Adenocarcinoma');
    expect(visibleModelText('a <| b |> c')).toBe('a <| b |> c');
  });

  it('says what an answer in progress is doing, with tokens and seconds', () => {
    const base = { answer: '', reasoningClosed: false, createdAt: 1000 };
    expect(liveIndicator({ ...base, status: 'reading-region' }, 2500)).toBe('Reading the image… · 1.5 s');
    expect(liveIndicator({ ...base, status: 'streaming', tokens: 0 }, 3000)).toBe('Reading the image… · 2.0 s');
    expect(liveIndicator({ ...base, status: 'streaming', tokens: 1 }, 3000)).toBe('Thinking… · 1 token · 2.0 s');
    expect(liveIndicator({ ...base, status: 'streaming', tokens: 42, answer: 'Ade' }, 4000)).toBe('Answering… · 42 tokens · 3.0 s');
    expect(liveIndicator({ ...base, status: 'done', tokens: 42 }, 4000)).toBeNull();
  });

  it('sets the wait for the first token against the estimate, and says when it runs over', () => {
    const waiting = { answer: '', reasoningClosed: false, createdAt: 1000, status: 'streaming' as const, tokens: 0, expectedFirstTokenAt: 22_000 };
    expect(liveIndicator(waiting, 9000)).toBe('Reading the image… · 8.0 s of about 21 s');
    expect(firstTokenProgress(waiting, 9000)).toBeCloseTo(8 / 21);
    expect(liveIndicator(waiting, 26_000)).toBe('Reading the image… · 25.0 s (about 21 s was expected)');
    expect(firstTokenProgress(waiting, 26_000)).toBe(1);
    // Once a token came, or without an estimate (remote server, WebGPU), no bar.
    expect(firstTokenProgress({ ...waiting, tokens: 1 }, 9000)).toBeNull();
    expect(firstTokenProgress({ ...waiting, expectedFirstTokenAt: undefined }, 9000)).toBeNull();
    expect(liveIndicator({ ...waiting, status: 'reading-region' }, 2500)).toBe('Reading the image… · 1.5 s');
  });

  it('follows the newest text only while the reader is at the bottom', () => {
    expect(isAtBottom({ scrollTop: 480, scrollHeight: 1000, clientHeight: 500 })).toBe(true);
    expect(isAtBottom({ scrollTop: 200, scrollHeight: 1000, clientHeight: 500 })).toBe(false);
  });

  it('notices a scroll up that the browser has not reported yet, and not one made by the thread itself', () => {
    // The thread scrolled itself to 500; the reader went to the top before the scroll event fired; text grew.
    expect(readerScrolledUp({ scrollTop: 0, scrollHeight: 1100, clientHeight: 500 }, 500)).toBe(true);
    // Still where the thread put it, the text grew below: keep following.
    expect(readerScrolledUp({ scrollTop: 500, scrollHeight: 1100, clientHeight: 500 }, 500)).toBe(false);
    // Never auto-scrolled yet.
    expect(readerScrolledUp({ scrollTop: 0, scrollHeight: 1100, clientHeight: 500 }, null)).toBe(false);
    // The thread shrank and the browser clamped the position: still at the bottom, not a scroll up.
    expect(readerScrolledUp({ scrollTop: 300, scrollHeight: 800, clientHeight: 500 }, 500)).toBe(false);
  });

  it('lists conversations newest first with their first question and size', () => {
    const summaries = conversationSummaries([answer(1), answer(2, { conversationId: 'c2', roiId: null }), answer(3)]);
    expect(summaries.map((summary) => [summary.id, summary.title, summary.questions, summary.roiId])).toEqual([
      ['c1', 'Q1', 2, 'roi-1'],
      ['c2', 'Q2', 1, null],
    ]);
  });

  it('exports a conversation as markdown with the snapshot, options, reasoning and answers', () => {
    const markdown = conversationMarkdown({
      slideName: 'small.svs',
      target: 'Region “ROI 1”',
      answers: [
        answer(1, { question: 'Grade?', options: ['G1', 'G2'], reasoning: 'Crowded<|im_end|>\nglands', answer: 'G2' }),
        answer(2, { status: 'stopped' }),
      ],
      snapshotPng: 'data:image/png;base64,iVBORw0KGgo=',
      exportedAt: new Date('2026-11-28T12:00:00Z'),
    });
    expect(markdown).toContain('# Grade?');
    expect(markdown).toContain('- Slide: small.svs');
    expect(markdown).toContain('x 10, y 20, 300 x 200');
    expect(markdown).toContain('![Region snapshot](data:image/png;base64,iVBORw0KGgo=)');
    expect(markdown).toContain('A. G1\nB. G2');
    expect(markdown).toContain('> Crowded\n> glands');
    expect(markdown).not.toContain('<|im_end|>');
    expect(markdown).toContain('## 2. Q2');
    expect(markdown).toContain('stopped before the end');
    expect(markdown).toContain('not for diagnostic use');
  });
});
