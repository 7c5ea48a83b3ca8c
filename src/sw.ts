/// <reference lib="webworker" />
/**
 * The service worker, built by vite-plugin-pwa (injectManifest) from Workbox's own modules: Workbox's precache
 * holds the app shell, ONNX Runtime's WASM (/ort/), the model catalog and each model's manifest and processor
 * config, and the demo slide (Workbox injects the build's list with revisions into this file). Model weights are
 * not here: the model workers keep them, verified, in their own Cache Storage ('patholens-models'), which works
 * offline by itself once the manifest can be read.
 *
 * Why injectManifest and not generateSW: the slide readers ask for the demo slide with HTTP Range requests and
 * refuse a whole-file 200, and generateSW registers its precache route before any other, so it would answer those
 * ranges with the whole 54 MB file. Here the demo slide's route comes first and cuts the precached file with
 * workbox-range-requests (206 and Content-Range), and answers HEAD (the app's "is there a demo?") from it too.
 *
 * Updates: no skipWaiting on install, so a new build never swaps the files under a page that is running (its
 * lazily loaded chunks would be gone). The new worker waits until every PathoLens tab is closed, or until a page
 * posts {type: 'SKIP_WAITING'} (the kiosk does, when its idle reset reloads the page anyway).
 * Responses keep the headers the server sent (COOP, COEP, CSP), so the page stays cross-origin isolated offline.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { createPartialResponse } from 'workbox-range-requests';
import { NetworkFirst } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

/** The same path as DEMO_SLIDE_PATH in src/features/viewer (the service worker imports nothing from the app). */
const DEMO_SLIDE_URL = '/demo/demo-slide.svs';
const KIOSK_CONFIG_URL = '/kiosk.json';
const KIOSK_CONFIG_CACHE = 'patholens-kiosk-config';
/** Files and folders the app serves: a navigation there is a file request, never the app's page. */
const NAVIGATION_DENYLIST = [/^\/(models|ort|demo|dicomweb)\//, /\.[a-z0-9]+$/i];

const isDemoSlide = ({ url, sameOrigin }: { url: URL; sameOrigin: boolean }) => sameOrigin && url.pathname === DEMO_SLIDE_URL;

/** The demo slide from the precache: a HEAD gets its headers, a Range its bytes (206), anything else all of it. */
async function demoSlide({ request }: { request: Request }): Promise<Response> {
  const whole = await matchPrecache(DEMO_SLIDE_URL);
  if (!whole) return fetch(request);
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers: whole.headers });
  return request.headers.has('range') ? createPartialResponse(request, whole) : whole;
}
registerRoute(isDemoSlide, demoSlide, 'GET');
registerRoute(isDemoSlide, demoSlide, 'HEAD');

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// kiosk.json may be edited next to a built kiosk (e.g. on a USB stick) after the build: read it fresh when online,
// the last copy when not. Only a 200 is kept.
registerRoute(({ url, sameOrigin }) => sameOrigin && url.pathname === KIOSK_CONFIG_URL, new NetworkFirst({ cacheName: KIOSK_CONFIG_CACHE }));

// Any page address (e.g. /?kiosk=1) is the single-page app's index.html; files are never answered with it.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: NAVIGATION_DENYLIST }));

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
