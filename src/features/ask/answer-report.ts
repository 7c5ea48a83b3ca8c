/**
 * What the printable report of one answer says, apart from its picture: pure, so it is tested without a DOM.
 * The model and its weights come from what the answer recorded (`model`, and the backend label "WASM · q4 · …",
 * "WebGPU · q4f16" or "Remote server · <model>").
 */
import type { AskAnswer } from './ask-store';

export interface ReportFacts {
  model: string;
  dtype: string;
  backend: string;
  answeredAt: string;
  status: string | null;
}

const KNOWN_DTYPES = new Set(['fp32', 'fp16', 'q8', 'q4', 'q4f16']);

export function reportFacts(answer: Pick<AskAnswer, 'backend' | 'createdAt' | 'status' | 'model'>): ReportFacts {
  const parts = answer.backend.split(' · ');
  const remote = parts[0] === 'Remote server';
  const dtype = remote ? 'chosen by the server' : (parts.find((part) => KNOWN_DTYPES.has(part)) ?? 'not recorded');
  const model = answer.model ?? (remote ? (parts[1] ?? 'not recorded') : 'not recorded');
  const status =
    answer.status === 'stopped' ? 'Stopped before the end: the answer is incomplete.' : answer.status === 'error' ? 'Failed: see the note below.' : null;
  return {
    model,
    dtype,
    backend: parts[0] ?? answer.backend,
    answeredAt: new Date(answer.createdAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    status,
  };
}

/** µm per pixel of a snapshot `snapshotWidth` px wide of level-0 `boundsWidth` px at `slideMpp` (null: unknown scale). */
export function snapshotMicronsPerPixel(boundsWidth: number, snapshotWidth: number, slideMpp: number | null): number | null {
  return slideMpp === null || !(snapshotWidth > 0) ? null : (boundsWidth * slideMpp) / snapshotWidth;
}
