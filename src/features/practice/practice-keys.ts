/**
 * Practice keyboard: 1-9 and A-J choose an option, Enter submits, N goes to the next question. Pure, so the panel's
 * key handler and its tests agree; keys typed into a text field are never commands (the caller checks the target).
 */
export type PracticeKeyAction = { kind: 'choose'; index: number } | { kind: 'submit' } | { kind: 'next' } | null;

/** `answered`: after submitting, letters no longer choose, and N (not the option "N") means next. */
export function practiceKeyAction(key: string, optionCount: number, answered: boolean): PracticeKeyAction {
  if (key === 'Enter') return answered ? { kind: 'next' } : { kind: 'submit' };
  if (answered) return key === 'n' || key === 'N' ? { kind: 'next' } : null;
  if (/^[1-9]$/.test(key)) {
    const index = Number(key) - 1;
    return index < optionCount ? { kind: 'choose', index } : null;
  }
  if (/^[a-jA-J]$/.test(key)) {
    const index = key.toUpperCase().charCodeAt(0) - 65;
    return index < optionCount ? { kind: 'choose', index } : null;
  }
  return null;
}
