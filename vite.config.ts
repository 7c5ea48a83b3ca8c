import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { connectSourcesFromEnvironment, contentSecurityPolicy, crossOriginIsolationHeaders } from './src/app/security-headers.ts';
import { localAssets } from './tools/vite-local-assets.ts';
import { pwa } from './tools/vite-pwa.ts';

// A fixed nonce is acceptable for the dev server only: it lets Vite's React Refresh preamble (an inline
// script) run under the same strict policy. The production build has no inline script and no nonce.
const DEV_NONCE = 'patholens-dev';
// Tile or inference servers the person running PathoLens allows (none by default); see README.
const extraConnectSources = connectSourcesFromEnvironment(process.env.PATHOLENS_CONNECT_SOURCES);
// A DICOMweb server (e.g. Orthanc, which sends no CORS headers) on the app's own origin under /dicomweb, as a
// hospital's reverse proxy would put it (README: nginx snippet). Used by the DICOMweb e2e spec.
const dicomWebTarget = process.env.PATHOLENS_DICOMWEB_PROXY;
const dicomWebProxy = dicomWebTarget
  ? { '/dicomweb': { target: dicomWebTarget, changeOrigin: true, rewrite: (path: string) => path.replace(/^\/dicomweb/, '') } }
  : undefined;

export default defineConfig(({ command }) => ({
  plugins: [react(), tailwindcss(), localAssets(import.meta.dirname, crossOriginIsolationHeaders), pwa()],
  html: command === 'serve' ? { cspNonce: DEV_NONCE } : {},
  server: {
    proxy: dicomWebProxy,
    headers: {
      ...crossOriginIsolationHeaders,
      'Content-Security-Policy': contentSecurityPolicy({ nonce: DEV_NONCE, extraConnectSources }),
    },
  },
  preview: {
    proxy: dicomWebProxy,
    headers: {
      ...crossOriginIsolationHeaders,
      'Content-Security-Policy': contentSecurityPolicy({ extraConnectSources }),
    },
  },
  optimizeDeps: {
    // Crawl the workers as well as the page: Vite's scan does not follow `new Worker(new URL(…))`, so it found
    // transformers.js only when the first model loaded, re-bundled, and reloaded the page under the user (the
    // question being asked was lost). With the workers as entries every dependency is bundled before the first visit.
    entries: ['index.html', 'src/**/*.worker.ts', 'src/slide/decode-worker.ts'],
  },
  worker: { format: 'es' },
  build: { target: 'es2022' },
}));
