import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ThinkAnswerStream, displayedAnswer, type ThinkAnswerSnapshot } from '../../src/inference/think-answer-stream';

function parse(chunks: string[]): ThinkAnswerSnapshot {
  const stream = new ThinkAnswerStream();
  for (const chunk of chunks) stream.push(chunk);
  return stream.finish();
}

const CASES: { name: string; text: string; reasoning: string; answer: string; reasoningClosed: boolean; answerClosed: boolean }[] = [
  {
    name: 'well-formed',
    text: '<think> Nuclei are pleomorphic. </think><answer> Invasive ductal carcinoma </answer>',
    reasoning: 'Nuclei are pleomorphic.',
    answer: 'Invasive ductal carcinoma',
    reasoningClosed: true,
    answerClosed: true,
  },
  {
    name: 'missing opening <think> (template opened it)',
    text: 'Glands are crowded.</think>\n<answer>Adenocarcinoma</answer>',
    reasoning: 'Glands are crowded.',
    answer: 'Adenocarcinoma',
    reasoningClosed: true,
    answerClosed: true,
  },
  {
    name: 'no tags at all',
    text: 'Benign fibroadenoma.',
    reasoning: '',
    answer: 'Benign fibroadenoma.',
    reasoningClosed: false,
    answerClosed: false,
  },
  {
    name: 'unclosed think (stopped while reasoning)',
    text: '<think>Mitoses are frequent and',
    reasoning: 'Mitoses are frequent and',
    answer: '',
    reasoningClosed: false,
    answerClosed: false,
  },
  {
    name: 'answer opened without closing think',
    text: '<think>Keratin pearls<answer>Squamous cell carcinoma</answer>',
    reasoning: 'Keratin pearls',
    answer: 'Squamous cell carcinoma',
    reasoningClosed: true,
    answerClosed: true,
  },
  {
    name: 'unclosed answer',
    text: '<think>ok</think><answer>Grade 2',
    reasoning: 'ok',
    answer: 'Grade 2',
    reasoningClosed: true,
    answerClosed: false,
  },
  {
    name: 'repeated blocks: reasoning joined, last answer wins',
    text: '<think>first</think><answer>A</answer><think>second</think><answer>B. Lymphoma</answer>',
    reasoning: 'first\n\nsecond',
    answer: 'B. Lymphoma',
    reasoningClosed: true,
    answerClosed: true,
  },
  {
    name: 'repeated opening tag inside reasoning',
    text: '<think>a <think>b</think><answer>c</answer>',
    reasoning: 'a b',
    answer: 'c',
    reasoningClosed: true,
    answerClosed: true,
  },
  {
    name: 'a "<" that is not a tag stays text',
    text: '<think>Ki-67 <20% and p<0.05</think><answer>size <2 cm</answer>',
    reasoning: 'Ki-67 <20% and p<0.05',
    answer: 'size <2 cm',
    reasoningClosed: true,
    answerClosed: true,
  },
  {
    name: 'trailing partial tag at the end of a stopped stream is text',
    text: '<think>thinking</think><answer>Yes</answ',
    reasoning: 'thinking',
    answer: 'Yes</answ',
    reasoningClosed: true,
    answerClosed: false,
  },
];

describe('ThinkAnswerStream', () => {
  for (const testCase of CASES) {
    it(`${testCase.name}: one chunk and one character at a time agree`, () => {
      for (const chunks of [[testCase.text], [...testCase.text]]) {
        const result = parse(chunks);
        expect(result.reasoning).toBe(testCase.reasoning);
        expect(displayedAnswer(result)).toBe(testCase.answer);
        expect(result.reasoningClosed).toBe(testCase.reasoningClosed);
        expect(result.answerClosed).toBe(testCase.answerClosed);
      }
    });
  }

  it('never shows part of a tag while it is still arriving', () => {
    const stream = new ThinkAnswerStream();
    expect(stream.push('<thi').reasoning).toBe('');
    expect(stream.push('nk>Atypia').section).toBe('think');
    const mid = stream.push(' present</th');
    expect(mid.reasoning).toBe('Atypia present');
    expect(mid.section).toBe('think');
    const after = stream.push('ink><ans');
    expect(after.section).toBe('outside');
    expect(after.reasoningClosed).toBe(true);
    expect(after.untagged).toBe('');
    expect(stream.push('wer>Benign').answer).toBe('Benign');
  });

  it('gives the same result for any split of any mix of tags and text (property)', () => {
    const piece = fc.constantFrom('<think>', '</think>', '<answer>', '</answer>', '<', '>', 'a', ' b', '<th', 'nk>', '\n', 'x<y');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 10 }), (pieces, cuts) => {
        const text = pieces.join('');
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let start = 0;
        for (const point of points) {
          chunks.push(text.slice(start, point));
          start = point;
        }
        chunks.push(text.slice(start));
        expect(parse(chunks)).toEqual(parse([text]));
      }),
      { numRuns: 500 },
    );
  });
});
