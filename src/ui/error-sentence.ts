/**
 * Turns any thrown value into one sentence a person can act on: "<what failed>: <why>." Never an empty
 * string or "[object Object]".
 */
export function errorDetail(error: unknown): string {
  if (error instanceof Error) return error.message.trim() || error.name;
  if (typeof error === 'string') return error.trim() || 'unknown error';
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message.trim() || 'unknown error';
  }
  return 'unknown error';
}

export function errorSentence(whatFailed: string, error: unknown, whatToDo?: string): string {
  const detail = errorDetail(error).replace(/[.\s]+$/, '');
  const advice = whatToDo ? ` ${ensureFullStop(whatToDo)}` : '';
  return `${whatFailed}: ${detail}.${advice}`;
}

function ensureFullStop(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
