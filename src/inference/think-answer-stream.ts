/**
 * Incremental splitter of Patho-R1's streamed text into reasoning (`<think>…</think>`) and answer
 * (`<answer>…</answer>`). Tokens arrive in arbitrary pieces, so a tag may be split across chunks ("<thi" +
 * "nk>"); the splitter holds back only the few characters that could still become a tag. Real model output is
 * messy, so it also copes with a missing opening `<think>` (the chat template sometimes adds it), missing tags
 * altogether, unclosed blocks (a stopped stream) and repeated blocks.
 */

export type StreamSection = 'outside' | 'think' | 'answer';

export interface ThinkAnswerSnapshot {
  /** Reasoning so far: every `<think>` block, joined by blank lines. */
  reasoning: string;
  /** The answer: the last non-empty `<answer>` block (models sometimes restate a final answer). */
  answer: string;
  /** Every `<answer>` block in order, for a reader who wants to see restatements. */
  answers: string[];
  /** Text outside any tag (shown as the answer when the model used no tags at all). */
  untagged: string;
  /** Where the stream currently is. */
  section: StreamSection;
  /** True once `</think>` was seen (or implied by `<answer>`). */
  reasoningClosed: boolean;
  /** True once `</answer>` was seen. */
  answerClosed: boolean;
}

const TAGS = ['<think>', '</think>', '<answer>', '</answer>'] as const;
type Tag = (typeof TAGS)[number];

/** Longest suffix of `text` that is a proper prefix of some tag: it must wait for the next chunk. */
function pendingTagPrefixLength(text: string): number {
  const lastOpen = text.lastIndexOf('<');
  if (lastOpen < 0) return 0;
  const tail = text.slice(lastOpen);
  return TAGS.some((tag) => tag.length > tail.length && tag.startsWith(tail)) ? tail.length : 0;
}

function findNextTag(text: string, from: number): { tag: Tag; index: number } | null {
  let best: { tag: Tag; index: number } | null = null;
  for (const tag of TAGS) {
    const index = text.indexOf(tag, from);
    if (index >= 0 && (best === null || index < best.index)) best = { tag, index };
  }
  return best;
}

export class ThinkAnswerStream {
  private section: StreamSection = 'outside';
  private pending = '';
  private thinkBlocks: string[] = [];
  private answerBlocks: string[] = [];
  private untaggedText = '';
  private reasoningClosed = false;
  private answerClosed = false;

  /** Feeds the next decoded piece of text; returns the state after it. */
  push(chunk: string): ThinkAnswerSnapshot {
    const text = this.pending + chunk;
    const holdBack = pendingTagPrefixLength(text);
    this.pending = text.slice(text.length - holdBack);
    this.consume(text.slice(0, text.length - holdBack));
    return this.snapshot();
  }

  /** Ends the stream (finished or stopped): held-back characters are plain text after all. */
  finish(): ThinkAnswerSnapshot {
    this.consume(this.pending);
    this.pending = '';
    return this.snapshot();
  }

  snapshot(): ThinkAnswerSnapshot {
    const answers = this.answerBlocks.map((block) => block.trim());
    const lastAnswer = [...answers].reverse().find((block) => block.length > 0) ?? '';
    return {
      reasoning: this.thinkBlocks
        .map((block) => block.trim())
        .filter(Boolean)
        .join('\n\n'),
      answer: lastAnswer,
      answers,
      untagged: this.untaggedText.trim(),
      section: this.section,
      reasoningClosed: this.reasoningClosed,
      answerClosed: this.answerClosed,
    };
  }

  private consume(text: string): void {
    let position = 0;
    while (position < text.length) {
      const next = findNextTag(text, position);
      const end = next ? next.index : text.length;
      this.append(text.slice(position, end));
      if (!next) break;
      this.applyTag(next.tag);
      position = next.index + next.tag.length;
    }
  }

  private append(text: string): void {
    if (!text) return;
    if (this.section === 'think') this.thinkBlocks[this.thinkBlocks.length - 1] += text;
    else if (this.section === 'answer') this.answerBlocks[this.answerBlocks.length - 1] += text;
    else this.untaggedText += text;
  }

  private applyTag(tag: Tag): void {
    switch (tag) {
      case '<think>':
        if (this.section === 'think') return; // a repeated opening tag inside reasoning changes nothing
        this.section = 'think';
        this.thinkBlocks.push('');
        return;
      case '</think>':
        if (this.section !== 'think' && this.thinkBlocks.length === 0) {
          // No opening tag: everything said so far was reasoning (the template may have opened it).
          this.thinkBlocks.push(this.untaggedText);
          this.untaggedText = '';
        }
        if (this.section !== 'answer') this.section = 'outside';
        this.reasoningClosed = true;
        return;
      case '<answer>':
        if (this.section === 'think') this.reasoningClosed = true; // answer without </think> ends reasoning
        if (this.section === 'answer') return;
        this.section = 'answer';
        this.answerClosed = false;
        this.answerBlocks.push('');
        return;
      case '</answer>':
        if (this.section === 'answer') {
          this.section = 'outside';
          this.answerClosed = true;
        }
        return;
    }
  }
}

/** What the Ask panel shows as the answer: the tagged answer, else the untagged text when no tags were used. */
export function displayedAnswer(snapshot: ThinkAnswerSnapshot): string {
  if (snapshot.answers.length > 0) return snapshot.answer;
  return snapshot.untagged;
}
