import { describe, expect, it } from 'vitest';
import { DEMO_BANK } from '../../../src/features/practice/demo-bank';
import { imagePlacement, practiceQueue, slideBaseName } from '../../../src/features/practice/practice-queue';
import { practiceModelMessages, readModelChoice } from '../../../src/features/practice/model-question';
import { scheduleReview, type ReviewCard } from '../../../src/features/practice/review-schedule';
import type { Question } from '../../../src/features/practice/bank-schema';

function q(id: string, answer = 0): Question {
  return { id, stem: `stem ${id}?`, options: ['first', 'second', 'third'], answer, explanation: '', tags: [] };
}
const questions = [q('a'), q('b'), q('c'), q('d')];
const start = new Date(Date.UTC(2026, 0, 1, 9));
const hours = (n: number) => new Date(start.getTime() + n * 3_600_000);

describe('practiceQueue', () => {
  it('a new trainee gets every question, in the bank order', () => {
    expect(practiceQueue('bank', questions, {}, start)).toEqual({ queue: ['a', 'b', 'c', 'd'], due: 0, nextDue: null });
  });

  it('due questions lead (most overdue first), then new ones; answered questions not yet due wait', () => {
    // b answered wrong (Again: back within minutes), c right twice (Good, then Good at its due: back in days), d wrong a little later.
    const firstGood = scheduleReview(undefined, 'good', start);
    const cards: Record<string, ReviewCard> = {
      'bank/b': scheduleReview(undefined, 'again', start),
      'bank/c': scheduleReview(firstGood, 'good', firstGood.due),
      'bank/d': scheduleReview(undefined, 'again', hours(0.1)),
      // Another bank's card for the same question id does not count here.
      'other/a': scheduleReview(undefined, 'again', start),
    };
    expect(cards['bank/b']!.due.getTime()).toBeLessThan(cards['bank/c']!.due.getTime());
    const rightAway = practiceQueue('bank', questions, cards, start);
    expect(rightAway.queue).toEqual(['a']);
    expect(rightAway.due).toBe(0);
    expect(rightAway.nextDue).toEqual(cards['bank/b']!.due);
    expect(cards['bank/c']!.due.getTime()).toBeGreaterThan(hours(24).getTime());

    const anHourLater = practiceQueue('bank', questions, cards, hours(1));
    expect(anHourLater.queue).toEqual(['b', 'd', 'a']);
    expect(anHourLater.due).toBe(2);
    expect(anHourLater.nextDue).toEqual(cards['bank/c']!.due);
  });

  it('a card of a question no longer in the bank is ignored', () => {
    const cards = { 'bank/gone': scheduleReview(undefined, 'again', start) };
    expect(practiceQueue('bank', questions, cards, hours(5))).toEqual({ queue: ['a', 'b', 'c', 'd'], due: 0, nextDue: null });
  });
});

describe('imagePlacement', () => {
  const demoQuestion = DEMO_BANK.questions[0]!;
  it('a demo-slide region goes to the viewer only when the demo slide is open; otherwise says which slide to open', () => {
    expect(imagePlacement(demoQuestion.image, { name: 'http://localhost:5173/demo/demo-slide.svs', isDemo: true })).toEqual({
      kind: 'on-open-slide',
      region: { x: 8192, y: 2048, width: 512, height: 512 },
    });
    const other = imagePlacement(demoQuestion.image, { name: 'CMU-1.svs', isDemo: false });
    expect(other.kind).toBe('open-slide-first');
    expect(other.kind === 'open-slide-first' && other.sentence).toMatch(/demo slide.*\/demo\/demo-slide\.svs.*CMU-1\.svs is open now/);
    expect(imagePlacement(demoQuestion.image, null).kind).toBe('open-slide-first');
  });

  it("another slide's region matches the open file by name, whatever its folder or case", () => {
    const image = { kind: 'slide-region' as const, slide: 'cases/Liver-7.SVS', region: { x: 1, y: 2, width: 3, height: 4 } };
    expect(imagePlacement(image, { name: 'liver-7.svs', isDemo: false }).kind).toBe('on-open-slide');
    const wrong = imagePlacement(image, { name: 'liver-8.svs', isDemo: false });
    expect(wrong.kind === 'open-slide-first' && wrong.sentence).toBe(
      'This question is on the slide cases/Liver-7.SVS: open that slide to see its region (liver-8.svs is open now).',
    );
  });

  it('embedded images are shown; an unresolved file is a sentence; no image is nothing', () => {
    expect(imagePlacement({ kind: 'data-url', dataUrl: 'data:image/png;base64,AAAA' }, null)).toEqual({
      kind: 'data-url',
      dataUrl: 'data:image/png;base64,AAAA',
    });
    const file = imagePlacement({ kind: 'file', path: 'images/q1.png' }, null);
    expect(file.kind === 'unavailable' && file.sentence).toMatch(/images\/q1\.png.*import the bank's zip/);
    expect(imagePlacement(undefined, null)).toEqual({ kind: 'none' });
  });

  it('slideBaseName keeps the file name of a path or URL', () => {
    expect(slideBaseName('https://host/a/b/slide.svs?token=1#x')).toBe('slide.svs');
    expect(slideBaseName('C:\\slides\\x.ndpi')).toBe('x.ndpi');
    expect(slideBaseName('plain.tif')).toBe('plain.tif');
  });
});

describe('asking Patho-R1 a bank question', () => {
  const question = DEMO_BANK.questions[0]!;
  it('sends the image, then the stem with the options as "A. …" lines, as the evaluation harness does', () => {
    const messages = practiceModelMessages(question, true);
    expect(messages[0]!.role).toBe('system');
    expect(messages[1]).toEqual({
      role: 'user',
      content: [
        { type: 'image' },
        {
          type: 'text',
          text: `${question.stem}\nA. Cell nuclei stained by haematoxylin\nB. Red blood cells\nC. Air bubbles under the coverslip\nD. Fat vacuoles`,
        },
      ],
    });
    expect(practiceModelMessages(question, false)[1]!.content).toEqual([{ type: 'text', text: expect.stringContaining('\nD. Fat vacuoles') }]);
  });

  it('reads the letter with extractMcqChoice and says whether it is right', () => {
    expect(readModelChoice('<think>purple dots</think><answer>A</answer>', question)).toMatchObject({
      correct: true,
      extraction: { status: 'chosen', letter: 'A' },
      sentence: 'Patho-R1 chose A. Cell nuclei stained by haematoxylin: the right answer.',
    });
    expect(readModelChoice('<answer>The answer is C</answer>', question)).toMatchObject({
      correct: false,
      sentence: 'Patho-R1 chose C. Air bubbles under the coverslip: not the right answer (A).',
    });
    expect(readModelChoice('<answer>A or B</answer>', question)).toMatchObject({ correct: false, extraction: { status: 'ambiguous', letters: ['A', 'B'] } });
    expect(readModelChoice('<think>hmm</think><answer>no idea</answer>', question)).toMatchObject({ correct: false, extraction: { status: 'unparsed' } });
  });
});
