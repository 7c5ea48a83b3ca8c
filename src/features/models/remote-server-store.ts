/**
 * The remote OpenAI-compatible server a department may run Patho-R1 on, and which tasks it answers. Kept in this
 * browser's localStorage only (the API key included): never in exported sessions, reports or logs.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PathoR1Engine } from '../../inference/patho-r1-engine';
import { apiRoot, createOpenAiCompatibleEngine, listRemoteModels } from '../../inference/remote/openai-engine';
import { errorDetail } from '../../ui/error-sentence';

/** The tasks that can be answered by the local model or the remote server. */
export const REMOTE_TASKS = ['ask', 'practice'] as const;
export type RemoteTask = (typeof REMOTE_TASKS)[number];
export type Answerer = 'local' | 'remote';

export interface RemoteServerSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
}

export type ConnectionState =
  | { status: 'untested' }
  | { status: 'testing' }
  | { status: 'connected'; models: string[]; root: string }
  | { status: 'error'; message: string };

export interface RemoteServerState {
  settings: RemoteServerSettings;
  answerers: Record<RemoteTask, Answerer>;
  connection: ConnectionState;
  setSettings(patch: Partial<RemoteServerSettings>): void;
  setAnswerer(task: RemoteTask, answerer: Answerer): void;
  /** Lists the server's models (GET /v1/models); picks the first when none is chosen yet. */
  testConnection(): Promise<void>;
}

const STORAGE_KEY = 'patholens.remote-server.v1';

interface Persisted {
  settings: RemoteServerSettings;
  answerers: Record<RemoteTask, Answerer>;
}

const EMPTY: Persisted = { settings: { baseUrl: '', apiKey: '', model: '' }, answerers: { ask: 'local', practice: 'local' } };

function load(storage: Storage | undefined): Persisted {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return EMPTY;
    const parsed = JSON.parse(raw) as Partial<Persisted>;
    return {
      settings: { ...EMPTY.settings, ...parsed.settings },
      answerers: { ...EMPTY.answerers, ...parsed.answerers },
    };
  } catch {
    return EMPTY; // unreadable settings: start empty rather than fail the app
  }
}

export function createRemoteServerStore(storage: Storage | undefined = globalThis.localStorage, fetchImpl?: typeof fetch): StoreApi<RemoteServerState> {
  const initial = load(storage);
  const store = createStore<RemoteServerState>()((set, get) => ({
    ...initial,
    connection: { status: 'untested' },
    setSettings(patch) {
      set((state) => ({ settings: { ...state.settings, ...patch }, connection: patch.baseUrl !== undefined || patch.apiKey !== undefined ? { status: 'untested' } : state.connection }));
    },
    setAnswerer(task, answerer) {
      set((state) => ({ answerers: { ...state.answerers, [task]: answerer } }));
    },
    async testConnection() {
      const { baseUrl, apiKey } = get().settings;
      set({ connection: { status: 'testing' } });
      try {
        const root = apiRoot(baseUrl);
        const models = await listRemoteModels({ baseUrl, apiKey: apiKey || undefined, fetch: fetchImpl });
        set((state) => ({
          connection: { status: 'connected', models, root },
          settings: state.settings.model || models.length === 0 ? state.settings : { ...state.settings, model: models[0] as string },
        }));
      } catch (error) {
        set({ connection: { status: 'error', message: errorDetail(error) } });
      }
    },
  }));
  store.subscribe((state) => {
    try {
      storage?.setItem(STORAGE_KEY, JSON.stringify({ settings: state.settings, answerers: state.answerers } satisfies Persisted));
    } catch {
      // storage full or disabled: the settings still hold for this visit
    }
  });
  return store;
}

/** The engine the remote server offers for `task`, or null when the task is answered locally. */
export function remoteEngineFor(state: Pick<RemoteServerState, 'settings' | 'answerers'>, task: RemoteTask, fetchImpl?: typeof fetch): PathoR1Engine | null {
  if (state.answerers[task] !== 'remote') return null;
  const { baseUrl, apiKey, model } = state.settings;
  return createOpenAiCompatibleEngine({ baseUrl, model, apiKey: apiKey || undefined, fetch: fetchImpl });
}

/** Why the remote server cannot answer yet, or null when its settings are complete. */
export function remoteSettingsProblem(settings: RemoteServerSettings): string | null {
  if (!settings.baseUrl.trim()) return 'Remote server: give its address in the Models tab (e.g. http://gpu-server:8000), or answer with the local model.';
  try {
    apiRoot(settings.baseUrl);
  } catch (error) {
    return `Remote server: ${errorDetail(error)}.`;
  }
  if (!settings.model.trim()) return 'Remote server: choose a model in the Models tab ("Test connection" lists them).';
  return null;
}

export const remoteServerStore = createRemoteServerStore();
