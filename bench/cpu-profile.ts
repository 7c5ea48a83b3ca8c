/**
 * The page's main-thread CPU profile (Chrome DevTools Protocol `Profiler.stop`) summed per function: the profile
 * scripts (profile-ndpi, profile-placed) print where a round of tiles spent the main thread's time.
 */
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimes {
  /** Milliseconds profiled. */
  totalMs: number;
  /** Milliseconds running JS (idle, program and garbage collector left out). */
  busyMs: number;
  /** The functions with the most self time, most first: [`name file:line`, ms]. */
  top: [string, number][];
}

export function selfTimes(profile: CpuProfile, count = 20): SelfTimes {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });
  const busyMs = [...self.entries()].filter(([k]) => !/^\((idle|program|garbage collector)\)/.test(k)).reduce((s, [, v]) => s + v, 0);
  return { totalMs: (profile.endTime - profile.startTime) / 1000, busyMs, top: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, count) };
}
