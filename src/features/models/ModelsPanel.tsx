import { useEffect, useState, type ReactNode } from 'react';
import { computeBackendLabel } from '../../inference/compute-backend';
import type { DtypeQuality, ModelDtype } from '../../inference/model-manifest';
import type { LoadProgress } from '../../inference/worker-protocol';
import { useAppStore } from '../../session/app-store';
import { modelStore, resolveLoadPlan, resolvePathoClipLoadPlan, useModelStore, type CatalogEntry, type DeviceChoice } from './model-store';
import { formatBytes } from '../../ui/format-bytes';
import { RemoteServerSettings } from './RemoteServerSettings';
import { currentWasmThreads } from './model-store';
import { firstTokenSentence, loadPlanSentence, loadedSentence } from './weights-wording';
import { FeedbackExportButton } from '../feedback';
import { filesForDtype, filesForTowers } from '../../inference/model-files';
import { StorageFitNote, StorageSummary } from './StorageSummary';
import { storageStore } from './storage-store';

const DTYPE_CHOICES: (ModelDtype | 'auto')[] = ['auto', 'q4f16', 'q4', 'q8', 'fp16', 'fp32'];

function LoadProgressList({ files, onCancel }: { files: LoadProgress[]; onCancel(): void }) {
  return (
    <div className="mt-2 space-y-1" aria-label="Loading progress">
      {files.length === 0 && <p className="text-xs text-slate-600">Reading manifest.json…</p>}
      {files.map((file) => (
        <div key={file.file} className="text-xs">
          <div className="flex justify-between">
            <span className="truncate">{file.file}</span>
            <span>{file.fromCache ? 'cached, verified' : `${formatBytes(file.loadedBytes)} / ${formatBytes(file.totalBytes)}`}</span>
          </div>
          <progress className="h-1.5 w-full" max={file.totalBytes || 1} value={file.loadedBytes} aria-label={`Loading ${file.file}`} />
        </div>
      ))}
      <button type="button" className="mt-1 rounded border border-slate-300 px-2 py-1 text-xs" onClick={onCancel}>
        Cancel loading
      </button>
    </div>
  );
}

/** The headline number of a dtype's quality report, per model kind. */
function qualitySummary(kind: CatalogEntry['kind'], quality: DtypeQuality): string {
  const metric = (name: string) => {
    const value = quality.metrics[name];
    return value === undefined ? null : typeof value === 'number' ? value : value.min;
  };
  const parts =
    kind === 'patho-r1'
      ? [
          ['logit cosine (min)', metric('first_step_logit_cosine')],
          ['top-1 agreement', metric('teacher_forced_top1_agreement')],
          ['greedy tokens equal', metric('greedy_token_agreement')],
        ]
      : [
          ['image cosine (min)', metric('image_embedding_cosine')],
          ['text cosine (min)', metric('text_embedding_cosine')],
          ['best label changed', metric('best_label_change_rate')],
        ];
  return parts
    .filter((part): part is [string, number] => part[1] !== null)
    .map(([label, value]) => `${label} ${value.toFixed(3)}`)
    .join(' · ');
}

/** What the export measured for each dtype against PyTorch on the user's checkpoint. */
function QualityReportTable({ entry }: { entry: CatalogEntry }) {
  const report = entry.manifest.quality;
  if (!report) return <p className="mt-1 text-xs text-slate-600">No quality report: exported before reports existed. Export again to see what each dtype costs.</p>;
  const rows = Object.entries(report.dtypes) as [ModelDtype, DtypeQuality][];
  return (
    <details className="mt-1 text-xs" data-testid={`quality-${entry.path}`}>
      <summary className="cursor-pointer">Quality report ({report.reference || 'against PyTorch'})</summary>
      <table className="mt-1 w-full text-left">
        <thead>
          <tr>
            <th scope="col">dtype</th>
            <th scope="col">measured</th>
            <th scope="col">verdict</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([dtype, quality]) => (
            <tr key={dtype} data-dtype={dtype} data-below-quality={quality.belowQuality}>
              <td className="pr-1 font-mono">{dtype}</td>
              <td className="pr-1">{qualitySummary(entry.kind, quality)}</td>
              <td className={quality.belowQuality ? 'text-red-800' : 'text-emerald-800'} title={quality.reasons.join(' ')}>
                {quality.belowQuality ? `below quality: ${quality.reasons.join(' ')}` : 'ok'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {Object.keys(report.thresholds).length > 0 && (
        <p className="mt-1 text-slate-600">Thresholds: {Object.entries(report.thresholds).map(([name, value]) => `${name} ${value}`).join(', ')}. Automatic never picks a dtype below them when another fits.</p>
      )}
    </details>
  );
}

/** A load is about to store files: ask the browser to keep them (once; Chromium answers by itself, Firefox asks). */
function askToKeepStorage(): void {
  if (storageStore.getState().persisted === false) void storageStore.getState().requestPersistence();
}

function deviceLabel(device: string): string {
  return device === 'webgpu' ? 'WebGPU' : 'WASM';
}

function PathoR1Row({ entry }: { entry: CatalogEntry }) {
  const backend = useAppStore((state) => state.backend);
  const deviceChoice = useModelStore((state) => state.deviceChoice);
  const dtypeChoice = useModelStore((state) => state.dtypeChoice);
  const pathoR1 = useModelStore((state) => state.pathoR1);
  const plan = backend.status === 'ready' ? resolveLoadPlan(entry, backend.backend, deviceChoice, dtypeChoice) : null;
  const mine = pathoR1.status !== 'unloaded' && pathoR1.path === entry.path ? pathoR1 : null;
  const stateLabel = mine ? (mine.status === 'ready' ? loadedSentence(mine) : mine.status === 'loading' ? 'Loading…' : 'Failed') : 'Not loaded';
  return (
    <ModelCard
      entry={entry}
      stateLabel={stateLabel}
      facts={
        plan &&
        !('error' in plan) && (
        <>
          <dt>Will load</dt>
          <dd data-testid={`load-plan-${entry.path}`}>{loadPlanSentence(entry, plan, dtypeChoice, currentWasmThreads())}</dd>
          <dt>Estimated memory</dt>
          <dd title="weights, plus the conversation's working memory (KV cache)">at least {formatBytes(modelStore.weightBytes(entry, plan.dtype))}</dd>
          {mine?.status === 'ready' && firstTokenSentence(mine.speed) && (
            <>
              <dt>First answer</dt>
              <dd data-testid={`first-token-estimate-${entry.path}`}>{firstTokenSentence(mine.speed)}</dd>
            </>
          )}
        </>
        )
      }
      footer={
        <>
        {plan && !('error' in plan) && mine?.status !== 'ready' && (
          <StorageFitNote path={entry.path} manifest={entry.manifest} files={filesForDtype(entry.manifest, plan.dtype)} />
        )}
        <Footer
        error={plan && 'error' in plan ? plan.error : mine?.status === 'error' ? mine.message : null}
        loadLabel={`Load ${entry.path}`}
        disabled={!plan || 'error' in plan || mine?.status === 'loading'}
        onLoad={() => {
          askToKeepStorage();
          void modelStore.getState().loadPathoR1(entry.path).catch(() => undefined);
        }}
        onUnload={mine?.status === 'ready' ? () => modelStore.getState().unloadPathoR1() : undefined}
        progress={mine?.status === 'loading' ? <LoadProgressList files={Object.values(mine.files)} onCancel={() => modelStore.getState().cancelLoad()} /> : null}
        />
        </>
      }
    />
  );
}

function PathoClipRow({ entry }: { entry: CatalogEntry }) {
  const backend = useAppStore((state) => state.backend);
  const deviceChoice = useModelStore((state) => state.deviceChoice);
  const dtypeChoice = useModelStore((state) => state.dtypeChoice);
  const pathoClip = useModelStore((state) => state.pathoClip);
  const plan = backend.status === 'ready' ? resolvePathoClipLoadPlan(entry, backend.backend, deviceChoice, dtypeChoice) : null;
  const mine = pathoClip.status !== 'unloaded' && pathoClip.path === entry.path ? pathoClip : null;
  const stateLabel = mine
    ? mine.status === 'ready'
      ? `Loaded (images ${mine.plan.imageDtype}, text ${mine.plan.textDtype}, ${mine.plan.device})`
      : mine.status === 'loading'
        ? 'Loading…'
        : 'Failed'
    : 'Not loaded';
  return (
    <ModelCard
      entry={entry}
      stateLabel={stateLabel}
      facts={
        plan &&
        !('error' in plan) && (
        <>
          <dt>Will load</dt>
          <dd>
            images {plan.imageDtype}, text {plan.textDtype} on {deviceLabel(plan.device)}
          </dd>
        </>
        )
      }
      footer={
        <>
        {plan && !('error' in plan) && mine?.status !== 'ready' && (
          <StorageFitNote
            path={entry.path}
            manifest={entry.manifest}
            files={filesForTowers(entry.manifest, { vision_model: plan.imageDtype, text_model: plan.textDtype })}
          />
        )}
        <Footer
        error={plan && 'error' in plan ? plan.error : mine?.status === 'error' ? mine.message : null}
        loadLabel={`Load ${entry.path}`}
        disabled={!plan || 'error' in plan || mine?.status === 'loading'}
        onLoad={() => {
          askToKeepStorage();
          void modelStore.getState().loadPathoClip(entry.path).catch(() => undefined);
        }}
        onUnload={mine?.status === 'ready' ? () => modelStore.getState().unloadPathoClip() : undefined}
        progress={mine?.status === 'loading' ? <LoadProgressList files={Object.values(mine.files)} onCancel={() => modelStore.getState().cancelPathoClipLoad()} /> : null}
        note="PathoCLIP runs in the Classify and Search tabs (it loads there on first use too)."
        />
        </>
      }
    />
  );
}

/** One model folder: its facts (`facts`: extra dt/dd pairs), state and quality report, then `footer` (load, progress). */
function ModelCard({ entry, stateLabel, facts, footer }: { entry: CatalogEntry; stateLabel: string; facts: ReactNode; footer: ReactNode }) {
  const onDisk = Object.values(entry.manifest.files).reduce((sum, file) => sum + file.size, 0);
  return (
    <li className="rounded border border-slate-200 p-3" aria-label={`Model ${entry.path}`}>
      <div className="flex items-baseline justify-between gap-2">
        <h3 className="font-medium">{entry.path}</h3>
        <span className="text-xs text-slate-600">{entry.kind === 'patho-r1' ? 'Patho-R1 (reasoning)' : 'PathoCLIP (zero-shot)'}</span>
      </div>
      <dl className="mt-1 grid grid-cols-2 gap-x-2 text-xs text-slate-700">
        <dt>Dtypes</dt>
        <dd>{entry.dtypes.join(', ') || 'none complete'}</dd>
        <dt>Size on disk</dt>
        <dd>{formatBytes(onDisk)}</dd>
        {facts}
        <dt>State</dt>
        <dd data-testid={`model-state-${entry.path}`}>{stateLabel}</dd>
      </dl>
      <QualityReportTable entry={entry} />
      {footer}
    </li>
  );
}

function Footer(props: {
  error: string | null;
  loadLabel: string;
  disabled: boolean;
  onLoad(): void;
  progress: ReactNode;
  note?: string;
  /** Set when the model is loaded: the row offers Unload instead of Load. */
  onUnload?: () => void;
}) {
  return (
    <>
      {props.error && <p className="mt-1 text-xs text-red-800">{props.error}</p>}
      {props.onUnload ? (
        <button type="button" className="mt-2 rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50" onClick={props.onUnload}>
          {props.loadLabel.replace(/^Load/, 'Unload')}
        </button>
      ) : (
        <button type="button" className="mt-2 rounded bg-stain-hematoxylin px-3 py-1 text-sm text-white disabled:opacity-50" disabled={props.disabled} onClick={props.onLoad}>
          {props.loadLabel}
        </button>
      )}
      {props.note && <p className="mt-2 text-xs text-slate-600">{props.note}</p>}
      {props.progress}
    </>
  );
}

function ModelRow({ entry }: { entry: CatalogEntry }) {
  return entry.kind === 'patho-r1' ? <PathoR1Row entry={entry} /> : <PathoClipRow entry={entry} />;
}

export function ModelsPanel() {
  const catalog = useModelStore((state) => state.catalog);
  const backend = useAppStore((state) => state.backend);
  const deviceChoice = useModelStore((state) => state.deviceChoice);
  const dtypeChoice = useModelStore((state) => state.dtypeChoice);
  useEffect(() => {
    if (modelStore.getState().catalog.status === 'loading') void modelStore.getState().refreshCatalog();
  }, []);
  return (
    <div className="space-y-3">
      <p className="text-xs text-slate-600">
        Detected: {backend.status === 'ready' ? computeBackendLabel(backend.backend) : 'detecting…'}
      </p>
      <div className="grid grid-cols-2 gap-2 text-sm">
        <label className="flex flex-col">
          Backend
          <select
            className="rounded border border-slate-300 px-1 py-0.5"
            value={deviceChoice}
            onChange={(event) => modelStore.getState().setDeviceChoice(event.target.value as DeviceChoice)}
          >
            <option value="auto">Automatic</option>
            <option value="webgpu">{backend.status === 'ready' && backend.backend.kind === 'wasm' && backend.backend.softwareGpu ? 'WebGPU (software GPU: slow)' : 'WebGPU'}</option>
            <option value="wasm">WASM (CPU)</option>
          </select>
        </label>
        <label className="flex flex-col">
          Weights
          <select
            className="rounded border border-slate-300 px-1 py-0.5"
            value={dtypeChoice}
            onChange={(event) => modelStore.getState().setDtypeChoice(event.target.value as ModelDtype | 'auto')}
          >
            {DTYPE_CHOICES.map((dtype) => (
              <option key={dtype} value={dtype}>
                {dtype === 'auto' ? 'Automatic' : dtype}
              </option>
            ))}
          </select>
        </label>
      </div>
      <StorageSummary />
      <FolderPicker />
      <UrlLoader />
      <RemoteServerSettings />
      <section aria-labelledby="reviews-heading" className="space-y-1 rounded border border-slate-200 p-2 text-sm">
        <h3 id="reviews-heading" className="font-medium">
          Your answer reviews
        </h3>
        <p className="text-xs text-slate-600">Answers you marked correct or corrected (Ask → Review this answer), as training data for the next Patho-R1.</p>
        <FeedbackExportButton />
      </section>
      {catalog.status === 'loading' && <p>Looking for models…</p>}
      {catalog.status === 'error' && <p className="text-red-800">{catalog.message}</p>}
      {catalog.status === 'ready' && catalog.entries.length === 0 && (
        <p>No exported models found. Export one with models/export into models/local/ (see the README).</p>
      )}
      {catalog.status === 'ready' && (
        <ul className="space-y-2">
          {catalog.entries.map((entry) => (
            <ModelRow key={entry.path} entry={entry} />
          ))}
        </ul>
      )}
    </div>
  );
}

/** A model folder from this computer: read and verified locally, never uploaded. */
function FolderPicker() {
  const pathoR1 = useModelStore((state) => state.pathoR1);
  const folderError = pathoR1.status === 'error' && pathoR1.path === 'your folder' ? pathoR1.message : null;
  return (
    <div className="rounded border border-dashed border-slate-300 p-2 text-sm">
      <label htmlFor="model-folder-input" className="font-medium">
        Load Patho-R1 from a folder on this computer
      </label>
      <p className="text-xs text-slate-600">Choose the folder models/export wrote (with manifest.json). Its files are read here and never uploaded.</p>
      <input
        id="model-folder-input"
        type="file"
        multiple
        className="mt-1 block w-full text-xs"
        // A directory picker; React has no typed prop for it.
        ref={(element) => element?.setAttribute('webkitdirectory', '')}
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = '';
          if (files.length > 0) void modelStore.getState().loadPathoR1FromFolder(files).catch(() => undefined);
        }}
      />
      {folderError && <p className="mt-1 text-xs text-red-800" role="alert">{folderError}</p>}
    </div>
  );
}

/** A model folder served elsewhere (a hospital server); its origin must be allowed when PathoLens starts. */
function UrlLoader() {
  const [url, setUrl] = useState('');
  const [submitted, setSubmitted] = useState<string | null>(null);
  const pathoR1 = useModelStore((state) => state.pathoR1);
  // URL loads are keyed by the address (as typed when it is not one, else the folder URL).
  const urlError = pathoR1.status === 'error' && submitted !== null && (pathoR1.path === submitted || /^https?:\/\//.test(pathoR1.path)) ? pathoR1.message : null;
  return (
    <form
      className="rounded border border-dashed border-slate-300 p-2 text-sm"
      onSubmit={(event) => {
        event.preventDefault();
        if (!url.trim()) return;
        setSubmitted(url);
        void modelStore.getState().loadPathoR1FromUrl(url).catch(() => undefined);
      }}
    >
      <label htmlFor="model-url-input" className="font-medium">
        Load Patho-R1 from a URL
      </label>
      <div className="mt-1 flex gap-2">
        <input
          id="model-url-input"
          type="url"
          placeholder="https://…/patho-r1-3b/"
          className="min-w-0 flex-1 rounded border border-slate-300 px-1 text-xs"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
        />
        <button type="submit" className="rounded border border-slate-300 px-2 text-xs">
          Load from URL
        </button>
      </div>
      {urlError && (
        <p className="mt-1 text-xs text-red-800" role="alert">
          {urlError}
        </p>
      )}
    </form>
  );
}
