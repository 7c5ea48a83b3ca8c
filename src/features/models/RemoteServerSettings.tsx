import { useId } from 'react';
import { useStore } from 'zustand';
import { REMOTE_TASKS, remoteServerStore, remoteSettingsProblem, type Answerer, type RemoteTask } from './remote-server-store';

const TASK_LABELS: Record<RemoteTask, string> = { ask: 'Ask', practice: 'Practice' };

/** The evaluation harness's command for this server (the key by environment variable, never shown). */
function evaluationCommand(settings: { baseUrl: string; apiKey: string; model: string }): string {
  const address = settings.baseUrl.trim() || 'http://gpu-server:8000';
  const model = settings.model.trim() || 'MODEL';
  const key = settings.apiKey ? 'OPENAI_API_KEY=<your key> ' : '';
  return `${key}npm run eval -- mcq --data <benchmark> --out <folder> --remote ${address} --model ${model} --concurrency 4`;
}

/**
 * A department's Patho-R1 on an OpenAI-compatible server (vLLM, SGLang, transformers serve), for devices too
 * small for the local model: its address, key and model, a connection test, and which tasks it answers.
 */
export function RemoteServerSettings() {
  const settings = useStore(remoteServerStore, (state) => state.settings);
  const answerers = useStore(remoteServerStore, (state) => state.answerers);
  const connection = useStore(remoteServerStore, (state) => state.connection);
  const { setSettings, setAnswerer, testConnection } = remoteServerStore.getState();
  const modelListId = useId();
  const problem = remoteSettingsProblem(settings);
  const usedBy = REMOTE_TASKS.filter((task) => answerers[task] === 'remote');

  return (
    <section aria-labelledby="remote-server-heading" className="space-y-2 rounded border border-slate-200 p-2 text-sm">
      <h3 id="remote-server-heading" className="font-medium">
        Remote server
      </h3>
      <p className="text-xs text-slate-600">
        Patho-R1 on your department&apos;s OpenAI-compatible server answers instead of this device. The region image is sent to that server; the API key stays in
        this browser only.
      </p>
      <label className="flex flex-col">
        Server address
        <input
          type="url"
          className="rounded border border-slate-300 px-1 py-0.5"
          placeholder="http://gpu-server:8000"
          value={settings.baseUrl}
          onChange={(event) => setSettings({ baseUrl: event.target.value })}
        />
      </label>
      <label className="flex flex-col">
        API key (optional)
        <input
          type="password"
          autoComplete="off"
          className="rounded border border-slate-300 px-1 py-0.5"
          value={settings.apiKey}
          onChange={(event) => setSettings({ apiKey: event.target.value })}
        />
      </label>
      <div className="flex items-end gap-2">
        <label className="flex flex-1 flex-col">
          Model
          <input
            className="rounded border border-slate-300 px-1 py-0.5"
            list={modelListId}
            value={settings.model}
            onChange={(event) => setSettings({ model: event.target.value })}
          />
          <datalist id={modelListId}>{connection.status === 'connected' && connection.models.map((model) => <option key={model} value={model} />)}</datalist>
        </label>
        <button
          type="button"
          className="rounded border border-slate-300 px-2 py-1"
          disabled={!settings.baseUrl.trim() || connection.status === 'testing'}
          onClick={() => void testConnection()}
        >
          {connection.status === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      <p role="status" className="text-xs">
        {connection.status === 'connected' && (
          <span className="text-green-800">
            Connected to {connection.root}: {connection.models.length === 0 ? 'it lists no models' : `models ${connection.models.join(', ')}`}.
          </span>
        )}
        {connection.status === 'error' && <span className="text-red-800">{connection.message}</span>}
      </p>
      <fieldset className="space-y-1">
        <legend className="text-xs text-slate-700">Who answers</legend>
        {REMOTE_TASKS.map((task) => (
          <div key={task} role="radiogroup" aria-label={`${TASK_LABELS[task]} answered by`} className="flex gap-3">
            <span className="w-16">{TASK_LABELS[task]}</span>
            {(['local', 'remote'] as Answerer[]).map((answerer) => (
              <label key={answerer} className="flex items-center gap-1">
                <input type="radio" name={`answerer-${task}`} value={answerer} checked={answerers[task] === answerer} onChange={() => setAnswerer(task, answerer)} />
                {answerer === 'local' ? 'This device' : 'Remote server'}
              </label>
            ))}
          </div>
        ))}
        <div className="flex gap-3" data-testid="remote-eval-command">
          <span className="w-16 shrink-0">Evaluation</span>
          <span className="text-xs text-slate-700">
            scored from the command line, against this device&apos;s model files or this server:{' '}
            <code className="break-all">{evaluationCommand(settings)}</code>
          </span>
        </div>
      </fieldset>
      {usedBy.length > 0 && problem && <p className="text-xs text-red-800">{problem}</p>}
    </section>
  );
}
