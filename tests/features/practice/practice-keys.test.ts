import { describe, expect, it } from 'vitest';
import { practiceKeyAction } from '../../../src/features/practice/practice-keys';

describe('practice keys', () => {
  it('digits and letters choose options that exist', () => {
    expect(practiceKeyAction('1', 4, false)).toEqual({ kind: 'choose', index: 0 });
    expect(practiceKeyAction('c', 4, false)).toEqual({ kind: 'choose', index: 2 });
    expect(practiceKeyAction('D', 4, false)).toEqual({ kind: 'choose', index: 3 });
    expect(practiceKeyAction('5', 4, false)).toBeNull();
    expect(practiceKeyAction('E', 4, false)).toBeNull();
    expect(practiceKeyAction('J', 10, false)).toEqual({ kind: 'choose', index: 9 });
    expect(practiceKeyAction('K', 10, false)).toBeNull();
  });

  it('Enter submits, then Enter or N goes on; letters no longer choose once answered', () => {
    expect(practiceKeyAction('Enter', 4, false)).toEqual({ kind: 'submit' });
    expect(practiceKeyAction('Enter', 4, true)).toEqual({ kind: 'next' });
    expect(practiceKeyAction('n', 4, true)).toEqual({ kind: 'next' });
    expect(practiceKeyAction('a', 4, true)).toBeNull();
    expect(practiceKeyAction('n', 4, false)).toBeNull();
  });
});
