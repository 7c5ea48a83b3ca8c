/// <reference lib="webworker" />
/**
 * The Patho-R1 inference worker: model loading and generation off the main thread, so the slide viewer stays
 * responsive while the model thinks. All model logic is in patho-r1-runtime.ts (shared with Node tests).
 */
import { errorDetail } from '../ui/error-sentence';
import { generateInThread } from './in-thread-engine';
import { InferenceError, serializeInferenceError, type InferenceErrorKind } from './inference-error';
import { filesForDtype } from './model-files';
import { PathoR1Runtime } from './patho-r1-runtime';
import { prepareVerifiedModel, prepareWasm, wasmThreadsInUse } from './worker-model-files';
import { unhandledMessage, type GenerateRequest, type LoadRequest, type PreReadRequest, type WorkerEvent, type WorkerRequest } from './worker-protocol';

declare const self: DedicatedWorkerGlobalScope;

let runtime: PathoR1Runtime | null = null;
const running = new Map<number, AbortController>();
/** Answers in progress: a pre-read asked meanwhile is skipped, never queued behind or beside an answer. */
let answering = 0;

function post(event: WorkerEvent): void {
  self.postMessage(event);
}

async function load(request: LoadRequest): Promise<void> {
  const controller = new AbortController();
  running.set(request.requestId, controller);
  try {
    prepareWasm(request.device, request.wasmThreads);
    await runtime?.dispose();
    runtime = null;
    await prepareVerifiedModel({
      modelRoot: request.modelRoot,
      modelName: request.modelName,
      filesFor: (manifest) => filesForDtype(manifest, request.dtype),
      signal: controller.signal,
      onProgress: (progress) => post({ type: 'load-progress', requestId: request.requestId, ...progress }),
    });
    runtime = await PathoR1Runtime.load({ modelRoot: request.modelRoot, modelName: request.modelName, dtype: request.dtype, device: request.device });
    // On the processor the first answer can take a while: measure this computer once, so the app can say how long.
    const speed = request.device === 'wasm' ? await runtime.measureSpeed() : null;
    post({
      type: 'loaded',
      requestId: request.requestId,
      dtype: request.dtype,
      device: request.device,
      wasmThreads: request.device === 'wasm' ? wasmThreadsInUse() : null,
      speed,
    });
  } finally {
    running.delete(request.requestId);
  }
}

async function generate(request: GenerateRequest): Promise<void> {
  if (!runtime) throw new InferenceError('not-loaded', 'No model is loaded: load Patho-R1 in the Models tab first.');
  const controller = new AbortController();
  running.set(request.requestId, controller);
  answering++;
  try {
    const outcome = await generateInThread(
      runtime,
      {
        messages: request.messages,
        images: request.images,
        settings: request.settings,
        ...(request.conversation ? { conversation: request.conversation } : {}),
      },
      {
        signal: controller.signal,
        onText: (text) => post({ type: 'text', requestId: request.requestId, text }),
        onToken: (newTokens) => post({ type: 'token', requestId: request.requestId, newTokens }),
      },
      request.stopFlag
        ? { stopRequested: () => request.stopFlag !== null && Atomics.load(request.stopFlag, 0) === 1 }
        : // No shared memory (not cross-origin isolated): the posted stop message must get a turn between tokens.
          { yieldBetweenRuns: true },
    );
    post({ type: 'done', requestId: request.requestId, ...outcome });
  } finally {
    answering--;
    running.delete(request.requestId);
  }
}

async function preRead(request: PreReadRequest): Promise<void> {
  if (!runtime) throw new InferenceError('not-loaded', 'No model is loaded: load Patho-R1 in the Models tab first.');
  const result = answering > 0 ? ({ kind: 'busy' } as const) : await runtime.preReadImages(request.images, request.prompt === undefined ? {} : request.prompt);
  post({ type: 'pre-read-done', requestId: request.requestId, result });
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
    case 'pre-read':
      preRead(request).catch((error: unknown) => fail(request.requestId, error, 'runtime'));
      return;
    default:
      unhandledMessage(request);
  }
});
