/** Kiosk mode's settings for this page load (set once at start by src/main.tsx from bootKiosk()). */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { DEFAULT_KIOSK_CONFIG, type KioskSettings } from './kiosk-config';

export interface KioskState {
  settings: KioskSettings;
  setSettings(settings: KioskSettings): void;
}

export const kioskStore = createStore<KioskState>()((set) => ({
  settings: { enabled: false, config: DEFAULT_KIOSK_CONFIG, problems: [] },
  setSettings: (settings) => set({ settings }),
}));

export function useKioskStore<T>(selector: (state: KioskState) => T): T {
  return useStore(kioskStore, selector);
}
