import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS, WEBGPU_DISABLED_FLAGS, WEBGPU_SWIFTSHADER_FLAGS } from './e2e/chromium';

export const PREVIEW_PORT = 4173;
export const DEV_PORT = 5174;
/** The DICOMweb spec starts Orthanc here; the servers proxy /dicomweb to it (same origin, as in hospitals). */
export const ORTHANC_TEST_PORT = 8142;
/** The remote-server spec starts transformers serve here, with and without CORS; the CSP names both, as a department would. */
export const REMOTE_SERVER_TEST_PORTS = { cors: 8151, noCors: 8152 } as const;
/** Builds for tests carry the test hook `window.__patholens` (src/app/test-hook.ts); production builds do not. */
const TEST_BUILD_ENV = {
  VITE_PATHOLENS_TEST_HOOK: 'true',
  PATHOLENS_DICOMWEB_PROXY: `http://127.0.0.1:${ORTHANC_TEST_PORT}/dicom-web`,
  PATHOLENS_CONNECT_SOURCES: `http://127.0.0.1:${REMOTE_SERVER_TEST_PORTS.cors} http://127.0.0.1:${REMOTE_SERVER_TEST_PORTS.noCors}`,
};

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PREVIEW_PORT}`,
    trace: 'retain-on-failure',
  },
  webServer: [
    {
      // The production build, as `npm start` serves it.
      command: `npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port ${PREVIEW_PORT} --strictPort`,
      url: `http://127.0.0.1:${PREVIEW_PORT}`,
      env: TEST_BUILD_ENV,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
    {
      // The dev server must send the same isolation and security headers.
      // --force: dependencies are bundled afresh, as on a first `npm start` (the dev-server spec checks no reload).
      command: `npx vite --host 127.0.0.1 --port ${DEV_PORT} --strictPort --force`,
      url: `http://127.0.0.1:${DEV_PORT}`,
      env: TEST_BUILD_ENV,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
  ],
  projects: [
    {
      name: 'webgpu',
      // The dev server's dependency bundling, the kiosk folder's static servers and where a session's requests go do not
      // depend on the GPU: their specs run once, in the wasm project.
      testIgnore: /(dev-server|kiosk-build|privacy)\.spec\.ts/,
      use: {
        browserName: 'chromium',
        // SwiftShader is a software GPU, which "Automatic" rightly passes over for WASM: this project is a user who
        // chose WebGPU in the Models tab (the choice is remembered in localStorage), so it exercises the WebGPU path.
        storageState: {
          cookies: [],
          origins: [PREVIEW_PORT, DEV_PORT].map((port) => ({
            origin: `http://127.0.0.1:${port}`,
            localStorage: [{ name: 'patholens.device-choice', value: 'webgpu' }],
          })),
        },
        launchOptions: { executablePath: CHROMIUM_PATH, args: [...QUIET_CHROMIUM_FLAGS, ...WEBGPU_SWIFTSHADER_FLAGS] },
      },
      metadata: { expectedBackend: 'webgpu' },
    },
    {
      name: 'wasm',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: CHROMIUM_PATH, args: [...QUIET_CHROMIUM_FLAGS, ...WEBGPU_DISABLED_FLAGS] },
      },
      metadata: { expectedBackend: 'wasm' },
    },
  ],
});
