/**
 * What kiosk mode does before the app starts (browser only): reads kiosk.json (fresh when online; the service
 * worker's copy, or the last one read, when not), and when kiosk mode is on, clears what an earlier visitor left
 * (every PathoLens IndexedDB database but the derived search index, and local/session storage but the machine's
 * settings). Each kiosk page load is a new visitor's session: the idle reset is a reload.
 */
import { KIOSK_CONFIG_URL, resolveKioskSettings, type KioskSettings } from './kiosk-config';

/** Kept across visitors: the last kiosk.json read (for a start without the server) and the backend chosen for the machine. */
const KEPT_LOCAL_KEYS = [/^patholens\.kiosk\./, /^patholens\.device-choice$/];
const LAST_CONFIG_KEY = 'patholens.kiosk.last-config';
/** Derived from the demo slide, not from the visitor, and slow to build again. */
const KEPT_DATABASES = new Set(['patholens-search']);
/** Used where indexedDB.databases() is missing (older Firefox): the databases the app writes (src/storage/schema.ts). */
const KNOWN_DATABASES = ['patholens-viewer', 'patholens-answers', 'patholens-slide-answers', 'patholens-app', 'patholens-feedback', 'patholens-practice'];

/** kiosk.json's body, or undefined when there is none (a 404, or a server answering every path with index.html). */
async function readKioskFile(): Promise<unknown> {
  try {
    const response = await fetch(KIOSK_CONFIG_URL, { cache: 'no-cache' });
    if (!response.ok || !/json/i.test(response.headers.get('content-type') ?? '')) {
      localStorage.removeItem(LAST_CONFIG_KEY);
      return undefined;
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = null; // said as "not a JSON object"
    }
    localStorage.setItem(LAST_CONFIG_KEY, text);
    return body;
  } catch {
    // No server: the last kiosk.json this machine read.
    const last = localStorage.getItem(LAST_CONFIG_KEY);
    if (last === null) return undefined;
    try {
      return JSON.parse(last) as unknown;
    } catch {
      return undefined;
    }
  }
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
    // Blocked only by another open tab; the deletion still goes ahead once that one closes.
    request.onblocked = () => resolve();
  });
}

/** Removes what a visitor did: regions, answers, conversations, practice history, label sets, feedback, settings. */
export async function clearVisitorData(): Promise<void> {
  const names = typeof indexedDB.databases === 'function' ? (await indexedDB.databases()).map((info) => info.name ?? '') : KNOWN_DATABASES;
  await Promise.all(names.filter((name) => name.startsWith('patholens-') && !KEPT_DATABASES.has(name)).map(deleteDatabase));
  for (const key of Object.keys(localStorage)) if (!KEPT_LOCAL_KEYS.some((kept) => kept.test(key))) localStorage.removeItem(key);
  sessionStorage.clear();
}

/** Kiosk settings for this page load; when kiosk mode is on, the previous visitor's data is gone when this resolves. */
export async function bootKiosk(): Promise<KioskSettings> {
  const search = location.search;
  const settings = resolveKioskSettings(search, await readKioskFile());
  if (!settings.enabled) return settings;
  await clearVisitorData();
  document.documentElement.dataset.kiosk = '';
  return settings;
}
