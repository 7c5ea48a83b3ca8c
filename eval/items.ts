/**
 * What the readers turn each benchmark into: the items of one task, whatever file they came from. An image is
 * referenced (a file path or the bytes embedded in a TSV/parquet cell) and decoded only when its item runs, so a
 * missing or unreadable image is that item's error, not the run's.
 */

export type ImageRef = { kind: 'file'; path: string } | { kind: 'bytes'; bytes: Uint8Array; name: string };

interface ItemBase {
  /** Stable across runs of the same file: the resume key. */
  id: string;
  image: ImageRef;
}

/** Where an MCQ came from, for per-subset and per-split accuracy (PathMMU: subset → split). */
export interface McqGroup {
  subset: string;
  split: string;
}

export interface McqItem extends ItemBase {
  question: string;
  options: string[];
  answerIndex: number;
  group: McqGroup;
}

export interface VqaItem extends ItemBase {
  question: string;
  answer: string;
  /** Closed questions are yes/no (PathVQA) or marked CLOSED (Quilt-VQA). */
  closed: boolean;
}

export interface LabelledImage extends ItemBase {
  /** Index into the label set's classes. */
  label: number;
}

export interface CaptionPair extends ItemBase {
  caption: string;
}

/** Thrown by a reader for a file it cannot read at all (the CLI prints the sentence and exits non-zero). */
export class DatasetError extends Error {
  override name = 'DatasetError';
}
