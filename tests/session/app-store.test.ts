import { describe, expect, it } from 'vitest';
import { MAX_VISIBLE_ERRORS, SIDE_PANEL_TABS, createAppStore } from '../../src/session/app-store';
import { tabAfterKey } from '../../src/app/side-panel-tabs';

describe('app store', () => {
  it('starts on the Ask tab, detecting the backend, with no errors', () => {
    const state = createAppStore().getState();
    expect(state.activeTab).toBe('ask');
    expect(state.backend).toEqual({ status: 'detecting' });
    expect(state.errors).toEqual([]);
  });

  it('keeps each error sentence once, dismisses by id, and bounds the banner', () => {
    const store = createAppStore();
    store.getState().reportError('The slide could not be read.');
    store.getState().reportError('The slide could not be read.');
    expect(store.getState().errors).toHaveLength(1);
    expect(store.getState().errors[0]?.count).toBe(2);
    const [first] = store.getState().errors;
    store.getState().dismissError(first!.id);
    expect(store.getState().errors).toEqual([]);
    for (let index = 0; index < MAX_VISIBLE_ERRORS + 3; index++) store.getState().reportError(`Failure ${index}.`);
    const messages = store.getState().errors.map((error) => error.message);
    expect(messages).toHaveLength(MAX_VISIBLE_ERRORS);
    expect(messages.at(-1)).toBe(`Failure ${MAX_VISIBLE_ERRORS + 2}.`);
    store.getState().dismissAllErrors();
    expect(store.getState().errors).toEqual([]);
  });

  it('records the detected backend', () => {
    const store = createAppStore();
    store.getState().setBackend({ kind: 'wasm', reason: 'No WebGPU.', threads: 3 });
    expect(store.getState().backend).toEqual({ status: 'ready', backend: { kind: 'wasm', reason: 'No WebGPU.', threads: 3 } });
  });
});

describe('tab keyboard navigation', () => {
  it('wraps with arrows and jumps with Home/End', () => {
    expect(tabAfterKey('ask', 'ArrowRight', SIDE_PANEL_TABS)).toBe('classify');
    expect(tabAfterKey('ask', 'ArrowLeft', SIDE_PANEL_TABS)).toBe('models');
    expect(tabAfterKey('models', 'ArrowDown', SIDE_PANEL_TABS)).toBe('ask');
    expect(tabAfterKey('search', 'Home', SIDE_PANEL_TABS)).toBe('ask');
    expect(tabAfterKey('search', 'End', SIDE_PANEL_TABS)).toBe('models');
    expect(tabAfterKey('search', 'Enter', SIDE_PANEL_TABS)).toBeNull();
  });
});
