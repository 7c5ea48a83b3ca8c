/// <reference lib="webworker" />
/**
 * The Patho-R1 inference worker: model loading and generation off the main thread, so the slide viewer stays
 * responsive while the model thinks. All model logic is in patho-r1-runtime.ts (shared with Node tests).
 */
import { env } from '@huggingface/transformers';
import { errorDetail } from '../ui/error-sentence';
import { generateInThread } from './in-thread-engine';
import { InferenceError, serializeInferenceError, type InferenceErrorKind } from './inference-error';
import { filesForDtype } from './model-files';
import { ManifestError, parseModelManifest } from './model-manifest';
import { PathoR1Runtime } from './patho-r1-runtime';
import { MODEL_CACHE_NAME, ensureVerifiedFiles, withRefusedFiles } from './verified-model-cache';
import { unhandledMessage, type GenerateRequest, type LoadRequest, type WorkerEvent, type WorkerRequest } from './worker-protocol';

declare const self: DedicatedWorkerGlobalScope;

// ONNX Runtime's WASM comes from the app itself (/ort/), never from a CDN. transformers.js's WASM cache would
// import the runtime from a blob: URL, which the strict CSP (script-src 'self') refuses: load it directly.
env.useWasmCache = false;
const ortEnv = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
if (ortEnv.wasm) {
  ortEnv.wasm.wasmPaths = {
    mjs: new URL('/ort/ort-wasm-simd-threaded.asyncify.mjs', self.location.origin).href,
    wasm: new URL('/ort/ort-wasm-simd-threaded.asyncify.wasm', self.location.origin).href,
  };
}

let runtime: PathoR1Runtime | null = null;
const running = new Map<number, AbortController>();

function post(event: WorkerEvent): void {
  self.postMessage(event);
}

async function load(request: LoadRequest): Promise<void> {
  const controller = new AbortController();
  running.set(request.requestId, controller);
  try {
    if (ortEnv.wasm) ortEnv.wasm.numThreads = request.wasmThreads;
    await runtime?.dispose();
    runtime = null;
    const modelUrl = `${request.modelRoot.replace(/\/?$/, '/')}${request.modelName}/`;
    const cache = withRefusedFiles(await caches.open(MODEL_CACHE_NAME));
    // A folder the user picked was copied into the cache with its manifest; served folders are fetched fresh.
    const manifestUrl = `${modelUrl}manifest.json`;
    const manifestResponse = (await cache.match(manifestUrl)) ?? (await fetch(manifestUrl, { signal: controller.signal }));
    if (!manifestResponse.ok) {
      throw new ManifestError(`${request.modelName} has no manifest.json (HTTP ${manifestResponse.status}): it is not a model folder written by models/export.`);
    }
    const manifest = parseModelManifest(await manifestResponse.json().catch(() => null));
    await ensureVerifiedFiles({
      baseUrl: modelUrl,
      manifest,
      files: filesForDtype(manifest, request.dtype),
      cache,
      signal: controller.signal,
      onProgress: (progress) => post({ type: 'load-progress', requestId: request.requestId, ...progress }),
      onCacheRefused: (key, response) => cache.keep(key, response),
    });
    env.useBrowserCache = false;
    env.useCustomCache = true;
    env.customCache = { match: (key: string) => cache.match(key), put: async () => undefined };
    runtime = await PathoR1Runtime.load({ modelRoot: request.modelRoot, modelName: request.modelName, dtype: request.dtype, device: request.device });
    post({ type: 'loaded', requestId: request.requestId, dtype: request.dtype, device: request.device });
  } catch (error) {
    if (controller.signal.aborted) throw new InferenceError('cancelled', errorDetail(error), { cause: error });
    if (error instanceof ManifestError) throw new InferenceError('model-files', error.message, { cause: error });
    throw error;
  } finally {
    running.delete(request.requestId);
  }
}

async function generate(request: GenerateRequest): Promise<void> {
  if (!runtime) throw new InferenceError('not-loaded', 'No model is loaded: load Patho-R1 in the Models tab first.');
  const controller = new AbortController();
  running.set(request.requestId, controller);
  try {
    const outcome = await generateInThread(
      runtime,
      { messages: request.messages, images: request.images, settings: request.settings, ...(request.conversation ? { conversation: request.conversation } : {}) },
      {
        signal: controller.signal,
        onText: (text) => post({ type: 'text', requestId: request.requestId, text }),
        onToken: (newTokens) => post({ type: 'token', requestId: request.requestId, newTokens }),
      },
      () => request.stopFlag !== null && Atomics.load(request.stopFlag, 0) === 1,
    );
    post({ type: 'done', requestId: request.requestId, ...outcome });
  } finally {
    running.delete(request.requestId);
  }
}

function fail(requestId: number, error: unknown, kind: InferenceErrorKind): void {
  post({ type: 'error', requestId, error: serializeInferenceError(error, kind, errorDetail) });
}

self.addEventListener('message', (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  switch (request.type) {
    case 'stop':
      running.get(request.requestId)?.abort();
      return;
    case 'load':
      load(request).catch((error: unknown) => fail(request.requestId, error, 'runtime'));
      return;
    case 'generate':
      generate(request).catch((error: unknown) => fail(request.requestId, error, 'runtime'));
      return;
    default:
      unhandledMessage(request);
  }
});
