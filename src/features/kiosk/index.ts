/** Kiosk mode (`?kiosk=1` or kiosk.json): settings read before the app starts, and its layer in the shell. */
export { bootKiosk, clearVisitorData } from './kiosk-boot';
export { KioskLayer } from './KioskLayer';
export { kioskStore, useKioskStore } from './kiosk-store';
export { KIOSK_NOTICE, resolveKioskSettings, type KioskConfig, type KioskSettings } from './kiosk-config';
