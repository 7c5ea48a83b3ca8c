/**
 * The kiosk's idle timer, pure: any touch, click, key or wheel is activity; after `timeoutSeconds` without any the
 * session is reset, and for the last `warningSeconds` before that the visitor is warned and can continue.
 * Time comes from the caller (`now()` in milliseconds), so tests drive it without waiting.
 */
export type IdlePhase = { phase: 'active' } | { phase: 'warning'; secondsLeft: number } | { phase: 'reset' };

export function idlePhase(idleMs: number, timeoutSeconds: number, warningSeconds: number): IdlePhase {
  const timeoutMs = timeoutSeconds * 1000;
  if (idleMs >= timeoutMs) return { phase: 'reset' };
  const warningMs = Math.min(warningSeconds, timeoutSeconds) * 1000;
  if (idleMs >= timeoutMs - warningMs) return { phase: 'warning', secondsLeft: Math.ceil((timeoutMs - idleMs) / 1000) };
  return { phase: 'active' };
}

export class IdleTimer {
  private lastActivity: number;
  private paused = false;

  constructor(private readonly options: { timeoutSeconds: number; warningSeconds: number; now: () => number }) {
    this.lastActivity = options.now();
  }

  /** The visitor did something: the countdown starts again. */
  activity(): void {
    this.lastActivity = this.options.now();
  }

  /** While paused (the attract screen is up: nothing to reset) the timer stays active; resuming counts from then. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.activity();
  }

  phase(): IdlePhase {
    if (this.paused) return { phase: 'active' };
    return idlePhase(this.options.now() - this.lastActivity, this.options.timeoutSeconds, this.options.warningSeconds);
  }
}
