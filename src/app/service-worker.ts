/**
 * Registers the offline service worker (src/sw.ts, built by vite-plugin-pwa) in production builds only: the dev
 * server has none, so what a developer edits is always what runs. A browser without service workers, or one that
 * refuses it (private windows, http on another host), simply stays online-only.
 */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch {
    return null;
  }
}

/**
 * Lets a new build that is waiting take over on the next load (the kiosk calls this before its idle reset
 * reloads the page). Resolves once the new worker controls the page (3 s at most), or at once when none is waiting.
 */
export async function activateWaitingServiceWorker(): Promise<void> {
  const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
  const waiting = registration?.waiting;
  if (!waiting) return;
  // A page the old worker did not control sees no controllerchange: do not wait for it longer than a moment.
  const changed = new Promise<void>((resolve) => {
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
    setTimeout(resolve, 3000);
  });
  waiting.postMessage({ type: 'SKIP_WAITING' });
  await changed;
}
