/**
 * Models the app can run: the catalog of exported model directories the app serves (/models/index.json and
 * each manifest.json), and the Patho-R1 worker's load state with per-file byte progress. Vanilla zustand so
 * non-React code (the Ask flow) uses it too.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { ComputeBackend } from '../../inference/compute-backend';
import { chooseDtype } from '../../inference/dtype-choice';
import { dtypesTooBigForWasm } from '../../inference/wasm-memory';
import { estimateFirstTokenMs, estimateFirstTokenParts, type FirstTokenParts, type SpeedSample } from '../../inference/first-token-estimate';
import { threadsLabel } from './weights-wording';
import { completeDtypes, filesForDtype, totalBytes } from '../../inference/model-files';
import { parseModelManifest, type ModelDtype, type ModelKind, type ModelManifest } from '../../inference/model-manifest';
import { PathoR1Client, type LoadProgress } from '../../inference/patho-r1-client';
import type { PathoR1Engine } from '../../inference/patho-r1-engine';
import { PathoClipClient } from '../../inference/pathoclip-client';
import type { PathoClipEngine, PathoClipModelInfo } from '../../inference/pathoclip-engine';
import { belowQualityDtypes, resolvePathoClipPlan, type PathoClipPlan } from './pathoclip-plan';
import type { InferenceDevice } from '../../inference/patho-r1-runtime';
import { wasmThreadCount } from '../../inference/compute-backend';
import { errorDetail, errorSentence } from '../../ui/error-sentence';
import { USER_MODELS_ROOT, importPickedModelFolder, readPickedModelFolder, type PickedFile, type PickedModelFolder } from '../../inference/local-model-folder';
import { MODEL_CACHE_NAME } from '../../inference/verified-model-cache';
import { appStore } from '../../session/app-store';
import { remoteEngineFor, remoteServerStore, remoteSettingsProblem, type RemoteTask } from './remote-server-store';

export interface CatalogEntry {
  /** Path under /models/, e.g. "tiny/patho-r1". */
  path: string;
  kind: ModelKind;
  manifest: ModelManifest;
  dtypes: ModelDtype[];
  /** The processor's pixel limit (Patho-R1), for sizing ROI images. */
  maxPixels: number | null;
}

export type DeviceChoice = 'auto' | 'webgpu' | 'wasm';

export type PathoR1State =
  | { status: 'unloaded' }
  | { status: 'loading'; path: string; dtype: ModelDtype; device: InferenceDevice; files: Record<string, LoadProgress> }
  | {
      status: 'ready';
      path: string;
      dtype: ModelDtype;
      device: InferenceDevice;
      /** Threads ONNX Runtime WASM really runs with (read back from the worker); null on WebGPU. */
      wasmThreads: number | null;
      /** The worker's short speed measurement after loading on the processor (time-to-first-token estimate). */
      speed: SpeedSample | null;
    }
  | { status: 'error'; path: string; message: string };

export type PathoClipState =
  | { status: 'unloaded' }
  | { status: 'loading'; path: string; plan: PathoClipPlan; files: Record<string, LoadProgress> }
  | { status: 'ready'; path: string; plan: PathoClipPlan; info: PathoClipModelInfo }
  | { status: 'error'; path: string; message: string };

export interface ModelState {
  catalog: { status: 'loading' } | { status: 'ready'; entries: CatalogEntry[] } | { status: 'error'; message: string };
  deviceChoice: DeviceChoice;
  dtypeChoice: ModelDtype | 'auto';
  pathoR1: PathoR1State;
  pathoClip: PathoClipState;
  refreshCatalog(): Promise<void>;
  setDeviceChoice(choice: DeviceChoice): void;
  setDtypeChoice(choice: ModelDtype | 'auto'): void;
  /** Loads a Patho-R1 directory in the worker; resolves when ready, rejects with a sentence. */
  loadPathoR1(path: string): Promise<void>;
  /** Loads a Patho-R1 folder the user picked on their disk (read locally, verified, never uploaded). */
  loadPathoR1FromFolder(files: readonly PickedFile[]): Promise<void>;
  /** Loads a Patho-R1 folder from a URL the user gave (an allowed origin; files verified and cached). */
  loadPathoR1FromUrl(url: string): Promise<void>;
  cancelLoad(): void;
  /** Loads a PathoCLIP directory in its worker (vision and text towers, each with its own weights). */
  loadPathoClip(path: string): Promise<void>;
  cancelPathoClipLoad(): void;
  /** Frees the model's memory (its worker ends); a later question or classification loads it again. */
  unloadPathoR1(): void;
  unloadPathoClip(): void;
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return response.json();
}

/** The Qwen2-VL processor's pixel limit from its preprocessor_config.json (older files put it in `size`). */
function maxPixelsOf(preprocessorConfig: unknown): number | null {
  const config = preprocessorConfig as { max_pixels?: number; size?: { longest_edge?: number } } | null;
  return config?.max_pixels ?? config?.size?.longest_edge ?? null;
}

async function readMaxPixels(preprocessorConfig: { text(): Promise<string> } | undefined): Promise<number | null> {
  if (!preprocessorConfig) return null;
  try {
    return maxPixelsOf(JSON.parse(await preprocessorConfig.text()));
  } catch {
    return null;
  }
}

/** Reads a model folder's manifest (and, for Patho-R1, its pixel limit) from `folderUrl` ("…/name/"). */
async function readCatalogEntry(path: string, folderUrl = `/models/${path}/`): Promise<CatalogEntry> {
  const manifest = parseModelManifest(await fetchJson(`${folderUrl}manifest.json`));
  let maxPixels: number | null = null;
  if (manifest.kind === 'patho-r1' && manifest.files['preprocessor_config.json']) {
    maxPixels = maxPixelsOf(await fetchJson(`${folderUrl}preprocessor_config.json`));
  }
  return { path, kind: manifest.kind, manifest, dtypes: completeDtypes(manifest), maxPixels };
}

/** The device and dtype a load will use, given the detected backend and the user's overrides. */
export function resolveLoadPlan(
  entry: CatalogEntry,
  backend: ComputeBackend,
  deviceChoice: DeviceChoice,
  dtypeChoice: ModelDtype | 'auto',
): { device: InferenceDevice; dtype: ModelDtype } | { error: string } {
  const effective = effectiveBackend(backend, deviceChoice);
  if ('error' in effective) return effective;
  if (dtypeChoice !== 'auto') {
    if (!entry.dtypes.includes(dtypeChoice)) return { error: `${entry.path} has no ${dtypeChoice} weights: choose one of ${entry.dtypes.join(', ')}.` };
    return { device: effective.kind, dtype: dtypeChoice };
  }
  const choice = chooseDtype(effective, entry.dtypes, belowQualityDtypes(entry.manifest), dtypesTooBigForWasm(entry.manifest, entry.dtypes));
  return 'error' in choice ? choice : { device: effective.kind, dtype: choice.dtype };
}

/** The backend a load really uses: the detected one, unless the user chose WASM (or WebGPU, when present). */
export function effectiveBackend(backend: ComputeBackend, deviceChoice: DeviceChoice, threads = currentWasmThreads()): ComputeBackend | { error: string } {
  // A software GPU is passed over by Automatic but stays available to a user who asks for WebGPU.
  if (deviceChoice === 'webgpu' && backend.kind === 'wasm' && backend.softwareGpu) return { kind: 'webgpu', ...backend.softwareGpu };
  if (deviceChoice === 'webgpu' && backend.kind !== 'webgpu') {
    return { error: `WebGPU was chosen in the Models tab but is not available here (${backend.reason}). Choose Automatic or WASM.` };
  }
  return deviceChoice === 'wasm' && backend.kind === 'webgpu' ? { kind: 'wasm', reason: 'chosen in the Models tab', threads } : backend;
}

/** The threads a WASM load asks ONNX Runtime for on this page (1 outside a browser). */
export function currentWasmThreads(): number {
  return typeof navigator === 'undefined' ? 1 : wasmThreadCount(navigator, globalThis.crossOriginIsolated === true);
}

/** How PathoCLIP would load here: per-tower weights and the device. */
export function resolvePathoClipLoadPlan(entry: CatalogEntry, backend: ComputeBackend, deviceChoice: DeviceChoice, dtypeChoice: ModelDtype | 'auto'): PathoClipPlan | { error: string } {
  const effective = effectiveBackend(backend, deviceChoice);
  return 'error' in effective ? effective : resolvePathoClipPlan(entry.manifest, effective, dtypeChoice);
}

/** The backend the user chose in the Models tab, remembered in this browser (a slow software GPU is a choice to keep). */
export const DEVICE_CHOICE_KEY = 'patholens.device-choice';

function savedDeviceChoice(): DeviceChoice {
  try {
    const saved = globalThis.localStorage?.getItem(DEVICE_CHOICE_KEY);
    return saved === 'webgpu' || saved === 'wasm' ? saved : 'auto';
  } catch {
    return 'auto';
  }
}

function saveDeviceChoice(choice: DeviceChoice): void {
  try {
    globalThis.localStorage?.setItem(DEVICE_CHOICE_KEY, choice);
  } catch {
    // storage disabled: the choice holds for this visit
  }
}

export function createModelStore(
  getBackend: () => ComputeBackend | null,
  makeClient: () => PathoR1Client,
  makeClipClient: () => PathoClipClient = () => new PathoClipClient(),
) {
  let client: PathoR1Client | null = null;
  let loadController: AbortController | null = null;
  let clipClient: PathoClipClient | null = null;
  let clipLoadController: AbortController | null = null;

  const store = createStore<ModelState>()((set, get) => {
    /**
     * Loads `entry` in a fresh worker. `prepare` runs first (copying a picked folder into the cache); both
     * report per-file progress and stop when the user cancels.
     */
    const runLoad = async (
      path: string,
      entry: CatalogEntry | undefined,
      location: { modelRoot: string; modelName: string },
      prepare?: (dtype: ModelDtype, onProgress: (progress: LoadProgress) => void, signal: AbortSignal) => Promise<void>,
    ): Promise<void> => {
      const backend = getBackend();
      const fail = (message: string): never => {
        set({ pathoR1: { status: 'error', path, message } });
        throw new Error(message);
      };
      if (!entry || entry.kind !== 'patho-r1') return fail(`${path} is not a Patho-R1 model folder.`);
      if (!backend) return fail('The compute backend is still being detected: try again in a moment.');
      const plan = resolveLoadPlan(entry, backend, get().deviceChoice, get().dtypeChoice);
      if ('error' in plan) return fail(plan.error);

      loadController?.abort();
      loadController = new AbortController();
      const controller = loadController;
      client?.terminate();
      client = makeClient();
      set({ pathoR1: { status: 'loading', path, dtype: plan.dtype, device: plan.device, files: {} } });
      const onProgress = (progress: LoadProgress) =>
        set((state) =>
          state.pathoR1.status === 'loading' && state.pathoR1.path === path
            ? { pathoR1: { ...state.pathoR1, files: { ...state.pathoR1.files, [progress.file]: progress } } }
            : state,
        );
      try {
        await prepare?.(plan.dtype, onProgress, controller.signal);
        const loaded = await client.load(
          {
            ...location,
            dtype: plan.dtype,
            device: plan.device,
            wasmThreads: currentWasmThreads(),
          },
          onProgress,
          controller.signal,
        );
        set({ pathoR1: { status: 'ready', path, dtype: plan.dtype, device: plan.device, wasmThreads: loaded.wasmThreads, speed: loaded.speed } });
      } catch (error) {
        if (controller.signal.aborted) {
          set({ pathoR1: { status: 'unloaded' } });
          throw new Error('Loading Patho-R1 was cancelled.', { cause: error });
        }
        fail(errorSentence(`Patho-R1 (${path}) could not be loaded`, error, 'Check the model folder or export it again'));
      }
    };

    return {
      catalog: { status: 'loading' },
      deviceChoice: savedDeviceChoice(),
      dtypeChoice: 'auto',
      pathoR1: { status: 'unloaded' },
      pathoClip: { status: 'unloaded' },

      async refreshCatalog() {
        set({ catalog: { status: 'loading' } });
        try {
          const index = (await fetchJson('/models/index.json')) as { directories?: unknown };
          const paths = Array.isArray(index.directories) ? index.directories.filter((path): path is string => typeof path === 'string') : [];
          const entries: CatalogEntry[] = [];
          for (const path of paths) {
            try {
              entries.push(await readCatalogEntry(path));
            } catch (error) {
              appStore.getState().reportError(errorSentence(`The model folder ${path} cannot be used`, error));
            }
          }
          set({ catalog: { status: 'ready', entries } });
        } catch (error) {
          set({ catalog: { status: 'error', message: errorSentence('The list of models could not be read', error, 'Reload the page') } });
        }
      },

      setDeviceChoice: (deviceChoice) => {
        saveDeviceChoice(deviceChoice);
        set({ deviceChoice });
      },
      setDtypeChoice: (dtypeChoice) => set({ dtypeChoice }),

      async loadPathoR1(path) {
        const catalog = get().catalog;
        const entry = catalog.status === 'ready' ? catalog.entries.find((candidate) => candidate.path === path) : undefined;
        const slash = path.lastIndexOf('/');
        await runLoad(path, entry, { modelRoot: `/models/${path.slice(0, slash + 1)}`, modelName: path.slice(slash + 1) });
      },

      async loadPathoR1FromFolder(files) {
        const path = 'your folder';
        let picked: PickedModelFolder;
        try {
          picked = await readPickedModelFolder(files);
        } catch (error) {
          set({ pathoR1: { status: 'error', path, message: errorDetail(error) } });
          throw error;
        }
        const entry: CatalogEntry = {
          path: `user/${picked.folder}`,
          kind: picked.manifest.kind,
          manifest: picked.manifest,
          dtypes: completeDtypes(picked.manifest),
          maxPixels: await readMaxPixels(picked.files.get('preprocessor_config.json')),
        };
        set((state) => ({
          catalog: {
            status: 'ready',
            entries: [...(state.catalog.status === 'ready' ? state.catalog.entries.filter((other) => other.path !== entry.path) : []), entry],
          },
        }));
        await runLoad(entry.path, entry, { modelRoot: USER_MODELS_ROOT, modelName: picked.folder }, (dtype, onProgress, signal) =>
          caches.open(MODEL_CACHE_NAME).then((cache) => importPickedModelFolder(picked, dtype, cache, onProgress, signal)),
        );
      },

      async loadPathoR1FromUrl(url) {
        let folderUrl: URL;
        try {
          folderUrl = new URL(url.trim().replace(/\/?$/, '/'), location.href);
          if (folderUrl.protocol !== 'https:' && folderUrl.protocol !== 'http:') throw new Error('not http(s)');
        } catch {
          const message = `"${url}" is not a web address: give the URL of an exported model folder, e.g. https://models.hospital.example/patho-r1-3b/.`;
          set({ pathoR1: { status: 'error', path: url, message } });
          throw new Error(message);
        }
        const segments = folderUrl.pathname.split('/').filter(Boolean);
        const modelName = segments.at(-1) ?? '';
        const modelRoot = new URL('../', folderUrl).href;
        let entry: CatalogEntry;
        try {
          entry = await readCatalogEntry(folderUrl.href, folderUrl.href);
        } catch (error) {
          const message = errorSentence(`No PathoLens model folder at ${folderUrl.href}`, error, 'Check the address; another server must also be allowed with PATHOLENS_CONNECT_SOURCES (see the README)');
          set({ pathoR1: { status: 'error', path: folderUrl.href, message } });
          throw new Error(message, { cause: error });
        }
        set((state) => ({
          catalog: {
            status: 'ready',
            entries: [...(state.catalog.status === 'ready' ? state.catalog.entries.filter((other) => other.path !== entry.path) : []), entry],
          },
        }));
        await runLoad(entry.path, entry, { modelRoot, modelName });
      },

      cancelLoad() {
        loadController?.abort();
      },

      async loadPathoClip(path) {
        const catalog = get().catalog;
        const entry = catalog.status === 'ready' ? catalog.entries.find((candidate) => candidate.path === path) : undefined;
        const backend = getBackend();
        const fail = (message: string): never => {
          set({ pathoClip: { status: 'error', path, message } });
          throw new Error(message);
        };
        if (!entry || entry.kind !== 'pathoclip') return fail(`${path} is not a PathoCLIP model folder.`);
        if (!backend) return fail('The compute backend is still being detected: try again in a moment.');
        const plan = resolvePathoClipLoadPlan(entry, backend, get().deviceChoice, get().dtypeChoice);
        if ('error' in plan) return fail(plan.error);

        clipLoadController?.abort();
        clipLoadController = new AbortController();
        const controller = clipLoadController;
        clipClient?.terminate();
        clipClient = makeClipClient();
        set({ pathoClip: { status: 'loading', path, plan, files: {} } });
        const slash = path.lastIndexOf('/');
        try {
          const info = await clipClient.load(
            {
              modelRoot: `/models/${path.slice(0, slash + 1)}`,
              modelName: path.slice(slash + 1),
              imageDtype: plan.imageDtype,
              textDtype: plan.textDtype,
              device: plan.device,
              wasmThreads: currentWasmThreads(),
            },
            (progress) =>
              set((state) =>
                state.pathoClip.status === 'loading' && state.pathoClip.path === path
                  ? { pathoClip: { ...state.pathoClip, files: { ...state.pathoClip.files, [progress.file]: progress } } }
                  : state,
              ),
            controller.signal,
          );
          set({ pathoClip: { status: 'ready', path, plan, info } });
        } catch (error) {
          if (controller.signal.aborted) {
            set({ pathoClip: { status: 'unloaded' } });
            throw new Error('Loading PathoCLIP was cancelled.', { cause: error });
          }
          fail(errorSentence(`PathoCLIP (${path}) could not be loaded`, error, 'Check the model folder or export it again'));
        }
      },

      cancelPathoClipLoad() {
        clipLoadController?.abort();
      },

      unloadPathoR1() {
        loadController?.abort();
        client?.terminate();
        client = null;
        set({ pathoR1: { status: 'unloaded' } });
      },

      unloadPathoClip() {
        clipLoadController?.abort();
        clipClient?.terminate();
        clipClient = null;
        set({ pathoClip: { status: 'unloaded' } });
      },
    };
  });

  /** The model folder a feature loads on first use: the user's own export before the tiny demo model. */
  const preferredPath = async (kind: ModelKind): Promise<string> => {
    if (store.getState().catalog.status !== 'ready') await store.getState().refreshCatalog();
    const catalog = store.getState().catalog;
    const entries = catalog.status === 'ready' ? catalog.entries.filter((entry) => entry.kind === kind) : [];
    const preferred = entries.find((entry) => !entry.path.startsWith('tiny/')) ?? entries[0];
    if (!preferred) throw new Error(`No ${kind === 'patho-r1' ? 'Patho-R1' : 'PathoCLIP'} model folder was found: export one (see the README) and reload.`);
    return preferred.path;
  };

  return Object.assign(store, {
    /**
     * The engine that answers `task` now: the remote server when the Models tab says so, else the loaded worker,
     * or null when none is loaded.
     */
    pathoR1Engine: (task: RemoteTask = 'ask'): PathoR1Engine | null =>
      remoteEngineFor(remoteServerStore.getState(), task) ?? (store.getState().pathoR1.status === 'ready' ? client : null),
    /** Who answers `task`, in words for the answer card: "Remote · model" or the local backend and weights. */
    pathoR1Label(task: RemoteTask = 'ask'): string {
      const remote = remoteServerStore.getState();
      if (remote.answerers[task] === 'remote') return `Remote server · ${remote.settings.model || 'no model chosen'}`;
      const state = store.getState().pathoR1;
      if (state.status !== 'ready') return 'not loaded';
      return state.device === 'webgpu' ? `WebGPU · ${state.dtype}` : `WASM · ${state.dtype} · ${threadsLabel(state.wasmThreads ?? 1)}`;
    },
    /**
     * Milliseconds from the start of generation to the first token for a width x height image, from the worker's
     * measurement after loading on the processor; null for a remote server, WebGPU, or no measurement.
     */
    pathoR1FirstTokenEstimateMs(task: RemoteTask, width: number, height: number): number | null {
      if (remoteServerStore.getState().answerers[task] === 'remote') return null;
      const state = store.getState().pathoR1;
      return state.status === 'ready' && state.speed ? estimateFirstTokenMs(state.speed, width, height) : null;
    },
    /** The same estimate in its two parts (reading the image, the prompt), for an image read ahead of the question. */
    pathoR1FirstTokenPartsMs(task: RemoteTask, width: number, height: number): FirstTokenParts | null {
      if (remoteServerStore.getState().answerers[task] === 'remote') return null;
      const state = store.getState().pathoR1;
      return state.status === 'ready' && state.speed ? estimateFirstTokenParts(state.speed, width, height) : null;
    },
    /**
     * The local worker when it answers `task` with a model loaded on this computer (not a remote server), for work
     * only a local model does, such as reading a region's image before the question (region-pre-read.ts).
     */
    pathoR1LocalClient(task: RemoteTask = 'ask'): PathoR1Client | null {
      if (remoteServerStore.getState().answerers[task] === 'remote') return null;
      return store.getState().pathoR1.status === 'ready' ? client : null;
    },
    /** Which Patho-R1 answers `task`: the loaded model's folder, or the remote server's model name. */
    pathoR1Name(task: RemoteTask = 'ask'): string {
      const remote = remoteServerStore.getState();
      if (remote.answerers[task] === 'remote') return remote.settings.model || 'no model chosen';
      const state = store.getState().pathoR1;
      return state.status === 'unloaded' ? 'not loaded' : state.path;
    },
    /** The loaded PathoCLIP (Classify, Search), or null when none is loaded. */
    pathoClipEngine: (): PathoClipEngine | null => (store.getState().pathoClip.status === 'ready' ? clipClient : null),
    /** Loads the preferred Patho-R1 (the user's own export before the tiny demo) unless one is loaded or the server answers `task`. */
    async ensurePathoR1(task: RemoteTask = 'ask'): Promise<void> {
      const remote = remoteServerStore.getState();
      if (remote.answerers[task] === 'remote') {
        // Nothing to load: the server has its model; only its settings must be complete.
        const problem = remoteSettingsProblem(remote.settings);
        if (problem) throw new Error(problem);
        return;
      }
      if (store.getState().pathoR1.status !== 'ready') await store.getState().loadPathoR1(await preferredPath('patho-r1'));
    },
    /** Loads the preferred PathoCLIP (the user's own export before the tiny demo) unless one is loaded. */
    async ensurePathoClip(): Promise<PathoClipEngine> {
      if (store.getState().pathoClip.status !== 'ready') await store.getState().loadPathoClip(await preferredPath('pathoclip'));
      if (!clipClient) throw new Error('PathoCLIP is not loaded.');
      return clipClient;
    },
    /** Bytes the chosen dtype's files take (download size and a floor on memory). */
    weightBytes: (entry: CatalogEntry, dtype: ModelDtype) => totalBytes(entry.manifest, filesForDtype(entry.manifest, dtype)),
  });
}

export const modelStore = createModelStore(
  () => {
    const backend = appStore.getState().backend;
    return backend.status === 'ready' ? backend.backend : null;
  },
  () => new PathoR1Client(),
);

export function useModelStore<T>(selector: (state: ModelState) => T): T {
  return useStore(modelStore, selector);
}
