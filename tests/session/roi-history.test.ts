import { describe, expect, it } from 'vitest';
import { HISTORY_LIMIT, emptyHistory, recordChange, redo, undo } from '../../src/session/roi-history';

describe('roi history', () => {
  it('undoes and redoes, and a new change drops the redo steps', () => {
    let history = recordChange(emptyHistory<string>(), 'a');
    history = recordChange(history, 'b');
    const back = undo(history, 'c');
    expect(back?.state).toBe('b');
    const again = redo(back!.history, 'b');
    expect(again?.state).toBe('c');
    expect(recordChange(back!.history, 'b').future).toEqual([]);
    expect(undo(emptyHistory<string>(), 'x')).toBeNull();
    expect(redo(history, 'c')).toBeNull();
  });

  it('keeps at most HISTORY_LIMIT steps', () => {
    let history = emptyHistory<number>();
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) history = recordChange(history, i);
    expect(history.past).toHaveLength(HISTORY_LIMIT);
    expect(history.past[0]).toBe(5);
  });
});
