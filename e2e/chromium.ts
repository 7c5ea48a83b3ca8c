/**
 * How the e2e tests start Debian's Chromium (never a Playwright-downloaded browser). Shared by the Playwright
 * config and the benchmarks so both run the same browser the same way.
 */
export const CHROMIUM_PATH = process.env.PATHOLENS_CHROMIUM ?? '/usr/bin/chromium';

/** Keeps Chromium from calling home: this machine (and a kiosk) has no network beyond localhost. */
export const QUIET_CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** WebGPU on the CPU through SwiftShader (slow but correct; no shader-f16). */
export const WEBGPU_SWIFTSHADER_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'];

/** No WebGPU at all, so the app must take its WASM path. */
export const WEBGPU_DISABLED_FLAGS = ['--disable-features=WebGPU,Vulkan', '--disable-gpu'];
