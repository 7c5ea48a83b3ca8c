/**
 * The offline app (PWA): vite-plugin-pwa builds src/sw.ts (Workbox modules) with the precache list injected.
 * Precached: the app shell (HTML, JS, CSS, icons, the web app manifest), ONNX Runtime's WASM under /ort/, the model
 * catalog (/models/index.json) with each model's manifest.json and preprocessor_config.json, and the demo slide.
 * Model weights are not precached: the model workers keep the ones a visit loaded, verified, in Cache Storage.
 * The dev server never has a service worker (devOptions off), and only production builds register one
 * (src/app/service-worker.ts).
 */
import type { PluginOption } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** The demo slide is about 55 MB and ONNX Runtime's WASM about 26 MB; Workbox's default limit is 2 MB. */
const LARGEST_PRECACHED_FILE = 128 * 1024 * 1024;

export const PRECACHE_GLOBS = [
  '*.{html,svg,webmanifest,json}',
  'assets/**/*.{js,css,svg,png,woff2}',
  'ort/*.{mjs,wasm}',
  'demo/demo-slide.svs',
  'models/index.json',
  'models/*/*/manifest.json',
  'models/*/*/preprocessor_config.json',
];

export function pwa(): PluginOption {
  return VitePWA({
    strategies: 'injectManifest',
    srcDir: 'src',
    filename: 'sw.ts',
    // Registered by the app itself (src/app/service-worker.ts): an injected inline script would break the CSP.
    injectRegister: false,
    manifest: {
      name: 'PathoLens',
      short_name: 'PathoLens',
      description: 'Pathology reasoning assistant: whole-slide viewer with research models running in the browser.',
      start_url: '/',
      display: 'standalone',
      background_color: '#f8fafc',
      theme_color: '#1e3a8a',
      icons: [{ src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
    },
    injectManifest: {
      globPatterns: PRECACHE_GLOBS,
      // kiosk.json is read fresh when online (network first), so an edited one takes effect without a rebuild.
      globIgnores: ['kiosk.json', 'serve.json'],
      maximumFileSizeToCacheInBytes: LARGEST_PRECACHED_FILE,
      rollupFormat: 'iife',
    },
    devOptions: { enabled: false },
  });
}
