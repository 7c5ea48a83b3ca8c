/**
 * A conversation as a markdown file: what it was about (slide, region, bounds), the region's snapshot as a PNG
 * data URL, then each question with its options, reasoning, answer and how it was produced.
 */
import type { AskAnswer } from './ask-store';
import { visibleModelText } from './visible-text';

export interface ConversationExport {
  slideName: string;
  /** e.g. 'Region “ROI 1”' or 'A view of the slide'. */
  target: string;
  answers: readonly AskAnswer[];
  /** data:image/png;base64,… of the region the conversation is about, or null when it could not be read. */
  snapshotPng: string | null;
  exportedAt: Date;
}

const STATUS_NOTE: Record<AskAnswer['status'], string> = {
  'reading-region': 'unfinished',
  streaming: 'unfinished',
  done: '',
  stopped: 'stopped before the end',
  error: 'failed',
};

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

export function conversationMarkdown({ slideName, target, answers, snapshotPng, exportedAt }: ConversationExport): string {
  const lines: string[] = [`# ${answers[0]?.question ?? 'Conversation'}`, ''];
  lines.push(`- Slide: ${slideName}`, `- About: ${target}`);
  const bounds = answers[0]?.bounds;
  if (bounds) lines.push(`- Bounds (level 0, px): x ${bounds.x}, y ${bounds.y}, ${bounds.width} x ${bounds.height}`);
  lines.push(`- Exported: ${exportedAt.toISOString()}`, '- Research model output: not for diagnostic use.', '');
  if (snapshotPng) lines.push(`![Region snapshot](${snapshotPng})`, '');
  answers.forEach((answer, index) => {
    lines.push(`## ${index + 1}. ${answer.question}`, '');
    answer.options.forEach((option, optionIndex) => lines.push(`${String.fromCharCode(65 + optionIndex)}. ${option}`));
    if (answer.options.length > 0) lines.push('');
    const reasoning = visibleModelText(answer.reasoning).trim();
    if (reasoning) lines.push('**Reasoning**', '', quote(reasoning), '');
    lines.push('**Answer**', '', visibleModelText(answer.answer).trim() || '(no answer)', '');
    if (answer.error) lines.push(`_${answer.error}_`, '');
    const note = [STATUS_NOTE[answer.status], answer.regionNote, answer.backend].filter(Boolean).join(' · ');
    lines.push(`<sub>${note}</sub>`, '');
  });
  return lines.join('\n');
}
