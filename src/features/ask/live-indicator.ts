/**
 * The live line of an answer in progress, so the wait before the first token is never silent:
 * "Reading the image…" (the region is read, then the model encodes it), "Thinking…", "Answering…",
 * each with the tokens so far and the seconds since the question.
 */
export interface AnswerProgress {
  status: 'reading-region' | 'streaming' | 'done' | 'stopped' | 'error';
  tokens?: number;
  answer: string;
  reasoningClosed: boolean;
  createdAt: number;
}

export function liveIndicator(progress: AnswerProgress, now: number): string | null {
  if (progress.status !== 'reading-region' && progress.status !== 'streaming') return null;
  const seconds = `${Math.max(0, (now - progress.createdAt) / 1000).toFixed(1)} s`;
  const tokens = progress.tokens ?? 0;
  if (progress.status === 'reading-region' || tokens === 0) return `Reading the image… · ${seconds}`;
  const phase = progress.answer || progress.reasoningClosed ? 'Answering…' : 'Thinking…';
  return `${phase} · ${tokens} ${tokens === 1 ? 'token' : 'tokens'} · ${seconds}`;
}
