import { describe, expect, it } from 'vitest';
import { createViewerStore } from '../../../src/features/viewer/viewer-store';

describe('viewer store', () => {
  it('keeps tool and display adjustment', () => {
    const store = createViewerStore();
    store.getState().setTool('ruler');
    store.getState().setAdjustment({ gamma: 1.5 });
    expect(store.getState().tool).toBe('ruler');
    expect(store.getState().adjustment).toEqual({ brightness: 0, contrast: 1, gamma: 1.5 });
  });
});
