import { describe, expect, it } from 'vitest';
import { PATHO_R1_SYSTEM_PROMPT, buildPathoR1Messages, questionText, systemPrompt } from '../../src/inference/patho-r1-prompt';

describe('Patho-R1 prompt', () => {
  it('uses the published system prompt verbatim', () => {
    expect(PATHO_R1_SYSTEM_PROMPT).toBe(
      'You are a pathology expert, your task is to answer question step by step. Use the following format:<think> Your step-by-step reasoning </think><answer> Your final answer </answer>',
    );
    expect(systemPrompt({ chainOfDraft: true })).toMatch(/^You are a pathology expert.*5 words at most\.$/);
  });

  it('puts the image before the question and letters MCQ options', () => {
    const messages = buildPathoR1Messages([
      { question: ' Which is the most likely diagnosis? ', options: ['Lymphoma', ' Carcinoma', 'Sarcoma'], withImage: true },
    ]);
    expect(messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: PATHO_R1_SYSTEM_PROMPT }] },
      {
        role: 'user',
        content: [{ type: 'image' }, { type: 'text', text: 'Which is the most likely diagnosis?\nA. Lymphoma\nB. Carcinoma\nC. Sarcoma' }],
      },
    ]);
  });

  it('continues a conversation: earlier replies become assistant turns, follow-ups carry no new image', () => {
    const messages = buildPathoR1Messages([
      { question: 'Describe the histological features', withImage: true, reply: '<think>x</think><answer>Glands</answer>' },
      { question: 'Grade this tumour', withImage: false },
    ]);
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[3]!.content).toEqual([{ type: 'text', text: 'Grade this tumour' }]);
  });

  it('refuses empty questions, unanswered middle turns and too many options with sentences', () => {
    expect(() => questionText({ question: '   ' })).toThrow('The question is empty');
    expect(() => buildPathoR1Messages([])).toThrow('at least one question');
    expect(() =>
      buildPathoR1Messages([
        { question: 'a', withImage: true },
        { question: 'b', withImage: false },
      ]),
    ).toThrow('Turn 1 has no reply');
    expect(() => questionText({ question: 'q', options: Array.from({ length: 27 }, (_, i) => `o${i}`) })).toThrow('at most 26 options');
  });
});
