import { describe, expect, it } from 'vitest';
import { createStorageStore, type StorageManagerLike } from '../../../src/features/models/storage-store';

function manager(state: { usage?: number; quota?: number; persisted: boolean; grant: boolean }): StorageManagerLike & { persistCalls: number } {
  const fake = {
    persistCalls: 0,
    estimate: async () => ({ usage: state.usage, quota: state.quota }),
    persisted: async () => state.persisted,
    persist: async () => {
      fake.persistCalls++;
      state.persisted = state.grant;
      return state.grant;
    },
  };
  return fake;
}

describe('storage store', () => {
  it('reads usage, quota and persistence', async () => {
    const store = createStorageStore(manager({ usage: 5, quota: 100, persisted: false, grant: true }));
    await store.getState().refresh();
    expect(store.getState()).toMatchObject({ supported: true, estimate: { usage: 5, quota: 100 }, persisted: false });
  });

  it('asks for persistence and records what the browser granted', async () => {
    const fake = manager({ usage: 5, quota: 100, persisted: false, grant: true });
    const store = createStorageStore(fake);
    expect(await store.getState().requestPersistence()).toBe(true);
    expect(fake.persistCalls).toBe(1);
    expect(store.getState().persisted).toBe(true);
    const refused = createStorageStore(manager({ usage: 5, quota: 100, persisted: false, grant: false }));
    expect(await refused.getState().requestPersistence()).toBe(false);
    expect(refused.getState().persisted).toBe(false);
  });

  it('has no estimate where the browser gives no quota, and nothing at all without a StorageManager', async () => {
    const store = createStorageStore(manager({ persisted: false, grant: false }));
    await store.getState().refresh();
    expect(store.getState().estimate).toBeNull();
    const none = createStorageStore(undefined);
    await none.getState().refresh();
    expect(none.getState()).toMatchObject({ supported: false, estimate: null, persisted: null });
    expect(await none.getState().requestPersistence()).toBe(false);
  });
});
