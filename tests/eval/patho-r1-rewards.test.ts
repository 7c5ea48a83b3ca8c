/** Patho-R1's RL rewards: the format reward (exactly one think block, then one answer block) and the accuracy reward. */
import { describe, expect, it } from 'vitest';
import { accuracyReward, answerText, formatReward, normalizeAnswer } from '../../src/inference/patho-r1-rewards';

describe('format reward', () => {
  it('1 for one <think> then one <answer>, surrounding space allowed', () => {
    expect(formatReward('<think>Glands are crowded.</think><answer>B</answer>')).toBe(1);
    expect(formatReward('  <think>\nx\n</think>\n<answer> B </answer>\n')).toBe(1);
    expect(formatReward('<think></think><answer></answer>')).toBe(1);
  });

  it('0 for a missing, repeated or reordered block, or text outside them', () => {
    expect(formatReward('<answer>B</answer>')).toBe(0);
    expect(formatReward('<think>x</think>')).toBe(0);
    expect(formatReward('<answer>B</answer><think>x</think>')).toBe(0);
    expect(formatReward('<think>x</think><think>y</think><answer>B</answer>')).toBe(0);
    expect(formatReward('<think>x</think><answer>B</answer><answer>C</answer>')).toBe(0);
    expect(formatReward('<think>x<answer>B</answer></think>')).toBe(0);
    expect(formatReward('So: <think>x</think><answer>B</answer>')).toBe(0);
    expect(formatReward('<think>x</think><answer>B</answer> done')).toBe(0);
    expect(formatReward('<think>x</think><answer>B')).toBe(0);
    expect(formatReward('')).toBe(0);
  });
});

describe('accuracy reward', () => {
  const options = ['Adenoma', 'Adenocarcinoma', 'Lymphoma'];
  it("MCQ: the app's reader picks the option; several letters or none are wrong", () => {
    expect(accuracyReward('<think>A or B?</think><answer>B</answer>', { kind: 'mcq', options, answerIndex: 1 })).toBe(1);
    expect(accuracyReward('<think>x</think><answer>Adenocarcinoma</answer>', { kind: 'mcq', options, answerIndex: 1 })).toBe(1);
    expect(accuracyReward('<think>x</think><answer>A and B</answer>', { kind: 'mcq', options, answerIndex: 1 })).toBe(0);
    expect(accuracyReward('<think>x</think><answer></answer>', { kind: 'mcq', options, answerIndex: 1 })).toBe(0);
  });

  it('text: the normalised answer equals the ground truth', () => {
    expect(accuracyReward('<think>x</think><answer>The lung.</answer>', { kind: 'text', answer: 'lung' })).toBe(1);
    expect(accuracyReward('Lung', { kind: 'text', answer: 'lung' })).toBe(1);
    expect(accuracyReward('<think>lung</think><answer>liver</answer>', { kind: 'text', answer: 'lung' })).toBe(0);
    expect(accuracyReward('<think>x</think><answer></answer>', { kind: 'text', answer: '' })).toBe(0);
  });

  it('answerText reads an unclosed answer and drops reasoning from untagged replies', () => {
    expect(answerText('<think>x</think><answer>yes')).toBe('yes');
    expect(answerText('<think>x</think> no')).toBe('no');
    expect(normalizeAnswer('  The  Sézary-syndrome!! ')).toBe('sézary syndrome');
  });
});
