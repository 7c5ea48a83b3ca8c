import { describe, expect, it } from 'vitest';
import { extractMcqChoice, isCorrectChoice } from '../../src/inference/mcq-answer';

const OPTIONS = ['Adenocarcinoma', 'Squamous cell carcinoma', 'Small cell carcinoma', 'Carcinoid tumour'];

function chosen(reply: string, options: readonly string[] = OPTIONS) {
  const result = extractMcqChoice(reply, options);
  return result.status === 'chosen' ? `${result.letter}:${result.source}` : result.status === 'ambiguous' ? `ambiguous:${result.letters.join('')}` : 'unparsed';
}

describe('extractMcqChoice', () => {
  it('reads the letter in <answer>, in the shapes models write it', () => {
    expect(chosen('<think>Glands and mucin.</think><answer>A</answer>')).toBe('A:answer-letter');
    expect(chosen('<think>…</think><answer>(B)</answer>')).toBe('B:answer-letter');
    expect(chosen('<think>…</think><answer>**C.**</answer>')).toBe('C:answer-letter');
    expect(chosen('<think>…</think><answer>d</answer>')).toBe('D:answer-letter');
    expect(chosen('<think>…</think><answer>B. Squamous cell carcinoma</answer>')).toBe('B:answer-letter');
    expect(chosen('<think>…</think><answer>The answer is C, small cell carcinoma.</answer>')).toBe('C:answer-letter');
    expect(chosen('<answer>Answer: (D)</answer>')).toBe('D:answer-letter');
  });

  it('ignores the options the reasoning weighs and rejects', () => {
    expect(chosen('<think>A is unlikely; B fits the keratin pearls; not C.</think><answer>B</answer>')).toBe('B:answer-letter');
    expect(chosen('<think>Option A or option D?</think><answer>Squamous cell carcinoma</answer>')).toBe('B:option-text');
  });

  it('takes "The answer is B" without tags', () => {
    expect(chosen('The answer is B')).toBe('B:answer-letter');
    expect(chosen('Keratin pearls and intercellular bridges. So B.')).toBe('B:standalone-letter');
  });

  it('does not read the article "A" or the pronoun "I" as options', () => {
    expect(chosen('<answer>A tumour of squamous cells: B</answer>')).toBe('B:standalone-letter');
    expect(chosen('I think it is C', ['1', '2', '3', '4', '5', '6', '7', '8', '9'])).toBe('C:standalone-letter');
    expect(chosen('<answer>A gland-forming tumour</answer>')).toBe('unparsed');
  });

  it('matches the option text when no letter is given, preferring the longer named option', () => {
    expect(chosen('<answer>Small-cell carcinoma</answer>')).toBe('C:option-text');
    expect(chosen('<answer>carcinoid tumour.</answer>')).toBe('D:option-text');
  });

  it('calls several letters ambiguous, never picks one', () => {
    expect(chosen('<answer>A or C</answer>')).toBe('ambiguous:AC');
    expect(chosen('<answer>The answer is B; option D is also possible</answer>')).toBe('ambiguous:BD');
    expect(chosen('<answer>Adenocarcinoma or carcinoid tumour</answer>')).toBe('ambiguous:AD');
  });

  it('calls an answer that names nothing unparsed', () => {
    expect(chosen('<think>Hard to say.</think><answer></answer>')).toBe('unparsed');
    expect(chosen('<think>Stopped mid-reasoning, A looked lik')).toBe('unparsed');
    expect(chosen('<answer>Lymphoma</answer>')).toBe('unparsed');
    expect(chosen('')).toBe('unparsed');
  });

  it('ignores letters that are not options', () => {
    expect(chosen('<answer>E</answer>')).toBe('unparsed');
    expect(chosen('<answer>The answer is E</answer>', ['a', 'b', 'c', 'd', 'e'])).toBe('E:answer-letter');
  });

  it('reads full-width and other Unicode forms', () => {
    expect(chosen('<answer>（Ｂ）</answer>')).toBe('B:answer-letter');
    expect(chosen('<answer>答案是 C</answer>')).toBe('C:standalone-letter');
    expect(chosen('<answer>Carcinoïde</answer>', ['Adénocarcinome', 'Carcinoïde'])).toBe('B:option-text');
    expect(chosen('<answer>H&E shows B</answer>')).toBe('B:standalone-letter');
  });

  it('scores only a single chosen option as correct', () => {
    expect(isCorrectChoice(extractMcqChoice('<answer>B</answer>', OPTIONS), 1)).toBe(true);
    expect(isCorrectChoice(extractMcqChoice('<answer>B</answer>', OPTIONS), 0)).toBe(false);
    expect(isCorrectChoice(extractMcqChoice('<answer>A or B</answer>', OPTIONS), 1)).toBe(false);
    expect(isCorrectChoice(extractMcqChoice('<answer>?</answer>', OPTIONS), 1)).toBe(false);
  });

  it('needs options', () => {
    expect(() => extractMcqChoice('<answer>A</answer>', [])).toThrow(RangeError);
  });
});
