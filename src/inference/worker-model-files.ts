/// <reference lib="webworker" />
/**
 * The part of loading every model worker shares: ONNX Runtime's WASM from the app (never a CDN), the model
 * folder's manifest read, the files a load needs verified into Cache Storage (size and sha256), and
 * transformers.js pointed at that verified cache. Worker-only (uses `caches` and `self.location`).
 */
import { env } from '@huggingface/transformers';
import { InferenceError } from './inference-error';
import { ManifestError, parseModelManifest, type ModelManifest } from './model-manifest';
import { MODEL_CACHE_NAME, ensureVerifiedFiles, withRefusedFiles } from './verified-model-cache';
import type { InferenceDevice } from './patho-r1-runtime';
import type { LoadProgress } from './worker-protocol';

// transformers.js's WASM cache would import the runtime from a blob: URL, which the strict CSP (script-src
// 'self') refuses: load it directly from /ort/.
env.useWasmCache = false;
const ortEnv = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };

/**
 * Which of ONNX Runtime Web's WASM builds a device needs. transformers.js's web bundle loads the asyncify build
 * (WebGPU and WASM in one binary) by default; on the processor the CPU-only build runs the same kernels without
 * asyncify's instrumentation, and profiled faster (the q8 vision tower: see the README's issue-18 section and
 * bench/profile-vision.ts). The JavaScript glue of the webgpu bundle drives both.
 */
export function wasmBuildFor(device: InferenceDevice): { mjs: string; wasm: string } {
  const name = device === 'webgpu' ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
  return { mjs: `/ort/${name}.mjs`, wasm: `/ort/${name}.wasm` };
}

/** The build the worker's ONNX Runtime started with (it starts once, at the first session). */
let startedBuild: string | null = null;

/**
 * Must run before the worker's first session: ONNX Runtime reads the WASM build and thread count once, when it
 * starts its WASM module. The app loads each model in a fresh worker; a second load in the same worker that
 * needs the other build is refused with a sentence rather than failing inside ONNX Runtime.
 */
export function prepareWasm(device: InferenceDevice, threads: number): void {
  const build = wasmBuildFor(device);
  if (startedBuild !== null && startedBuild !== build.wasm) {
    throw new InferenceError('runtime', `ONNX Runtime in this worker already runs ${startedBuild}; reload the model to switch to ${device}.`);
  }
  startedBuild = build.wasm;
  if (ortEnv.wasm) {
    ortEnv.wasm.wasmPaths = { mjs: new URL(build.mjs, self.location.origin).href, wasm: new URL(build.wasm, self.location.origin).href };
    ortEnv.wasm.numThreads = threads;
  }
}

/**
 * The threads ONNX Runtime WASM really started with. Its initialisation writes the count it used back into
 * env.wasm.numThreads (1 when SharedArrayBuffer is missing, i.e. the worker is not cross-origin isolated), so read
 * after a session exists this is the truth, not the request.
 */
export function wasmThreadsInUse(): number {
  const threads = ortEnv.wasm?.numThreads;
  const shared = typeof SharedArrayBuffer !== 'undefined' && self.crossOriginIsolated;
  return typeof threads === 'number' && threads > 0 && shared ? threads : 1;
}

/**
 * Reads `modelRoot/modelName/manifest.json` (from the cache when the user picked the folder), verifies the files
 * `filesFor(manifest)` names into the cache with per-file progress, and makes transformers.js read them from
 * there. Throws an InferenceError: 'model-files' for a bad folder, 'cancelled' when `signal` aborts.
 */
export async function prepareVerifiedModel(options: {
  modelRoot: string;
  modelName: string;
  filesFor(manifest: ModelManifest): string[];
  signal: AbortSignal;
  onProgress(progress: LoadProgress): void;
}): Promise<ModelManifest> {
  try {
    const modelUrl = `${options.modelRoot.replace(/\/?$/, '/')}${options.modelName}/`;
    const cache = withRefusedFiles(await caches.open(MODEL_CACHE_NAME));
    // A folder the user picked was copied into the cache with its manifest; served folders are fetched fresh.
    const manifestUrl = `${modelUrl}manifest.json`;
    const manifestResponse = (await cache.match(manifestUrl)) ?? (await fetch(manifestUrl, { signal: options.signal }));
    if (!manifestResponse.ok) {
      throw new ManifestError(
        `${options.modelName} has no manifest.json (HTTP ${manifestResponse.status}): it is not a model folder written by models/export.`,
      );
    }
    const manifest = parseModelManifest(await manifestResponse.json().catch(() => null));
    await ensureVerifiedFiles({
      baseUrl: modelUrl,
      manifest,
      files: options.filesFor(manifest),
      cache,
      signal: options.signal,
      onProgress: options.onProgress,
      onCacheRefused: (key, response) => cache.keep(key, response),
    });
    env.useBrowserCache = false;
    env.useCustomCache = true;
    env.customCache = { match: (key: string) => cache.match(key), put: async () => undefined };
    return manifest;
  } catch (error) {
    if (options.signal.aborted) throw new InferenceError('cancelled', error instanceof Error ? error.message : String(error), { cause: error });
    if (error instanceof ManifestError) throw new InferenceError('model-files', error.message, { cause: error });
    throw error;
  }
}
