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
import type { LoadProgress } from './worker-protocol';

// transformers.js's WASM cache would import the runtime from a blob: URL, which the strict CSP (script-src
// 'self') refuses: load it directly from /ort/.
env.useWasmCache = false;
const ortEnv = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
if (ortEnv.wasm) {
  ortEnv.wasm.wasmPaths = {
    mjs: new URL('/ort/ort-wasm-simd-threaded.asyncify.mjs', self.location.origin).href,
    wasm: new URL('/ort/ort-wasm-simd-threaded.asyncify.wasm', self.location.origin).href,
  };
}

/** Must run before the worker's first session: ONNX Runtime reads it once, when it starts its WASM module. */
export function setWasmThreads(threads: number): void {
  if (ortEnv.wasm) ortEnv.wasm.numThreads = threads;
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
