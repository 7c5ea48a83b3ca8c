/**
 * This browser's storage for PathoLens: how much is used and allowed (navigator.storage.estimate()), and whether
 * the browser keeps it when space runs low (navigator.storage.persisted() / persist()). Models, the offline app and
 * the demo slide live in Cache Storage; without persistence a browser may evict them under storage pressure.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { StorageEstimate } from './storage-fit';

export interface StorageState {
  /** False where the browser has no StorageManager (old browsers, some insecure origins). */
  supported: boolean;
  estimate: StorageEstimate | null;
  /** null until asked. */
  persisted: boolean | null;
  /** Reads usage, quota and persistence again (after a model load, say). */
  refresh(): Promise<void>;
  /** Asks the browser to keep PathoLens's data (Chromium decides by itself; Firefox asks the user). */
  requestPersistence(): Promise<boolean>;
}

/** The part of navigator.storage used here, so tests can give their own. */
export interface StorageManagerLike {
  estimate(): Promise<{ usage?: number; quota?: number }>;
  persisted(): Promise<boolean>;
  persist(): Promise<boolean>;
}

export function createStorageStore(manager: StorageManagerLike | undefined) {
  return createStore<StorageState>()((set, get) => ({
    supported: manager !== undefined,
    estimate: null,
    persisted: null,
    async refresh() {
      if (!manager) return;
      const [estimate, persisted] = await Promise.all([manager.estimate().catch(() => null), manager.persisted().catch(() => null)]);
      set({
        estimate: estimate && typeof estimate.quota === 'number' ? { usage: estimate.usage ?? 0, quota: estimate.quota } : null,
        persisted,
      });
    },
    async requestPersistence() {
      if (!manager) return false;
      const granted = await manager.persist().catch(() => false);
      set({ persisted: granted });
      await get().refresh();
      return granted;
    },
  }));
}

export const storageStore = createStorageStore(typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : undefined);

export function useStorageStore<T>(selector: (state: StorageState) => T): T {
  return useStore(storageStore, selector);
}
