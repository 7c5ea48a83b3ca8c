/**
 * The live line of an answer in progress, so the wait before the first token is never silent:
 * "Reading the image…" (the region is read, then the model encodes it), "Thinking…", "Answering…",
 * each with the tokens so far and the seconds since the question. Where this computer's speed was measured, the wait
 * for the first token is also set against its estimate ("8.0 s of about 21 s").
 */
export interface AnswerProgress {
  status: 'reading-region' | 'streaming' | 'done' | 'stopped' | 'error';
  tokens?: number;
  answer: string;
  reasoningClosed: boolean;
  createdAt: number;
  /** When the first token should arrive (estimate), while it has not. */
  expectedFirstTokenAt?: number;
}

/** Share of the estimated wait before the first token that has passed (0-1), or null without an estimate. */
export function firstTokenProgress(progress: AnswerProgress, now: number): number | null {
  if (progress.expectedFirstTokenAt === undefined || (progress.tokens ?? 0) > 0 || progress.status !== 'streaming') return null;
  const total = progress.expectedFirstTokenAt - progress.createdAt;
  return total > 0 ? Math.min(1, Math.max(0, (now - progress.createdAt) / total)) : 1;
}

export function liveIndicator(progress: AnswerProgress, now: number): string | null {
  if (progress.status !== 'reading-region' && progress.status !== 'streaming') return null;
  const seconds = `${Math.max(0, (now - progress.createdAt) / 1000).toFixed(1)} s`;
  const tokens = progress.tokens ?? 0;
  if (progress.status === 'reading-region' || tokens === 0) {
    if (progress.status === 'streaming' && progress.expectedFirstTokenAt !== undefined) {
      const expected = Math.max(1, Math.round((progress.expectedFirstTokenAt - progress.createdAt) / 1000));
      return now <= progress.expectedFirstTokenAt
        ? `Reading the image… · ${seconds} of about ${expected} s`
        : `Reading the image… · ${seconds} (about ${expected} s was expected)`;
    }
    return `Reading the image… · ${seconds}`;
  }
  const phase = progress.answer || progress.reasoningClosed ? 'Answering…' : 'Thinking…';
  return `${phase} · ${tokens} ${tokens === 1 ? 'token' : 'tokens'} · ${seconds}`;
}
