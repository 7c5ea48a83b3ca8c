/// <reference lib="webworker" />
/**
 * The PathoCLIP worker: loads the two towers and embeds images and texts off the main thread, so indexing a
 * slide never freezes the viewer. All model logic is in pathoclip-runtime.ts (shared with Node tests).
 */
import { errorDetail } from '../ui/error-sentence';
import { InferenceError, serializeInferenceError, type InferenceErrorKind } from './inference-error';
import { filesForTowers } from './model-files';
import { PathoClipRuntime } from './pathoclip-runtime';
import type { PathoClipWorkerEvent, PathoClipWorkerRequest } from './pathoclip-worker-protocol';
import { prepareVerifiedModel, prepareWasm } from './worker-model-files';
import { unhandledMessage } from './worker-protocol';

declare const self: DedicatedWorkerGlobalScope;

let runtime: PathoClipRuntime | null = null;
const running = new Map<number, AbortController>();

function post(event: PathoClipWorkerEvent, transfer: Transferable[] = []): void {
  self.postMessage(event, transfer);
}

async function load(request: Extract<PathoClipWorkerRequest, { type: 'load' }>, signal: AbortSignal): Promise<void> {
  prepareWasm(request.device, request.wasmThreads);
  await runtime?.dispose();
  runtime = null;
  await prepareVerifiedModel({
    modelRoot: request.modelRoot,
    modelName: request.modelName,
    filesFor: (manifest) => filesForTowers(manifest, { vision_model: request.imageDtype, text_model: request.textDtype }),
    signal,
    onProgress: (progress) => post({ type: 'load-progress', requestId: request.requestId, ...progress }),
  });
  runtime = await PathoClipRuntime.load(request);
  post({ type: 'loaded', requestId: request.requestId, info: runtime.info });
}

function loadedRuntime(): PathoClipRuntime {
  if (!runtime) throw new InferenceError('not-loaded', 'PathoCLIP is not loaded: load it in the Models tab first.');
  return runtime;
}

function sendEmbeddings(requestId: number, embeddings: Float32Array[]): void {
  post(
    { type: 'embeddings', requestId, embeddings },
    embeddings.map((embedding) => embedding.buffer as ArrayBuffer),
  );
}

/** Runs one request with its own cancel; failures go back as typed errors. */
function run(requestId: number, kind: InferenceErrorKind, work: (signal: AbortSignal) => Promise<void>): void {
  const controller = new AbortController();
  running.set(requestId, controller);
  work(controller.signal)
    .catch((error: unknown) =>
      post({ type: 'error', requestId, error: serializeInferenceError(error, controller.signal.aborted ? 'cancelled' : kind, errorDetail) }),
    )
    .finally(() => running.delete(requestId));
}

self.addEventListener('message', (message: MessageEvent<PathoClipWorkerRequest>) => {
  const request = message.data;
  switch (request.type) {
    case 'stop':
      running.get(request.requestId)?.abort();
      return;
    case 'load':
      run(request.requestId, 'runtime', (signal) => load(request, signal));
      return;
    case 'embed-images':
      run(request.requestId, 'runtime', async (signal) => sendEmbeddings(request.requestId, await loadedRuntime().embedImages(request.images, signal)));
      return;
    case 'embed-texts':
      run(request.requestId, 'runtime', async (signal) => sendEmbeddings(request.requestId, await loadedRuntime().embedTexts(request.texts, signal)));
      return;
    default:
      unhandledMessage(request);
  }
});
