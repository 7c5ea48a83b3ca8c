import { describe, expect, it } from 'vitest';
import { reportFacts, snapshotMicronsPerPixel } from '../../../src/features/ask/answer-report';

describe('printable report facts', () => {
  it('reads the model, weights and backend the answer recorded', () => {
    expect(reportFacts({ backend: 'WASM · q8 · 2 threads', createdAt: Date.UTC(2026, 10, 29, 1, 2), status: 'done', model: 'tiny/patho-r1' })).toEqual({
      model: 'tiny/patho-r1',
      dtype: 'q8',
      backend: 'WASM',
      answeredAt: '2026-11-29 01:02 UTC',
      status: null,
    });
    const remote = reportFacts({ backend: 'Remote server · Patho-R1-7B', createdAt: 0, status: 'stopped' });
    expect([remote.model, remote.dtype, remote.backend]).toEqual(['Patho-R1-7B', 'chosen by the server', 'Remote server']);
    expect(remote.status).toBe('Stopped before the end: the answer is incomplete.');
    // Answers saved before the model was kept say so rather than guess.
    expect(reportFacts({ backend: 'WebGPU · q4f16', createdAt: 0, status: 'done' }).model).toBe('not recorded');
  });

  it('gives the snapshot its own scale (a 2000-px-wide region at 0.25 µm/px shown 500 px wide: 1 µm/px)', () => {
    expect(snapshotMicronsPerPixel(2000, 500, 0.25)).toBe(1);
    expect(snapshotMicronsPerPixel(2000, 500, null)).toBeNull();
  });
});
