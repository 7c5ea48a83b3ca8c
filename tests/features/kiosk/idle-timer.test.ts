import { describe, expect, it } from 'vitest';
import { IdleTimer, idlePhase } from '../../../src/features/kiosk/idle-timer';

describe('idlePhase', () => {
  it('is active, then warns with the whole seconds left, then resets', () => {
    expect(idlePhase(0, 60, 10)).toEqual({ phase: 'active' });
    expect(idlePhase(49_999, 60, 10)).toEqual({ phase: 'active' });
    expect(idlePhase(50_000, 60, 10)).toEqual({ phase: 'warning', secondsLeft: 10 });
    expect(idlePhase(58_500, 60, 10)).toEqual({ phase: 'warning', secondsLeft: 2 });
    expect(idlePhase(59_999, 60, 10)).toEqual({ phase: 'warning', secondsLeft: 1 });
    expect(idlePhase(60_000, 60, 10)).toEqual({ phase: 'reset' });
  });

  it('resets without a warning when the warning is 0, and warns from the start when it is as long as the timeout', () => {
    expect(idlePhase(9_999, 10, 0)).toEqual({ phase: 'active' });
    expect(idlePhase(10_000, 10, 0)).toEqual({ phase: 'reset' });
    expect(idlePhase(0, 5, 30)).toEqual({ phase: 'warning', secondsLeft: 5 });
  });
});

describe('IdleTimer', () => {
  it('starts again on activity, and stays active while paused', () => {
    let now = 1_000;
    const timer = new IdleTimer({ timeoutSeconds: 10, warningSeconds: 3, now: () => now });
    now += 8_000;
    expect(timer.phase()).toEqual({ phase: 'warning', secondsLeft: 2 });
    timer.activity();
    now += 6_000;
    expect(timer.phase()).toEqual({ phase: 'active' });
    timer.setPaused(true);
    now += 60_000;
    expect(timer.phase()).toEqual({ phase: 'active' });
    timer.setPaused(false);
    now += 9_999;
    expect(timer.phase()).toEqual({ phase: 'warning', secondsLeft: 1 });
    now += 1;
    expect(timer.phase()).toEqual({ phase: 'reset' });
  });
});
