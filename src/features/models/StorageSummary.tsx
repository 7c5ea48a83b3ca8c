import { useEffect, useState } from 'react';
import type { ModelManifest } from '../../inference/model-manifest';
import { MODEL_CACHE_NAME, VERIFIED_HASH_HEADER } from '../../inference/verified-model-cache';
import { USER_MODELS_ROOT } from '../../inference/local-model-folder';
import { formatBytes } from '../../ui/format-bytes';
import { storageFit, storageFitSentence, type NeededFile } from './storage-fit';
import { storageStore, useStorageStore } from './storage-store';
import { modelStore } from './model-store';

/** Usage and quota of this browser's storage for PathoLens, and whether the browser keeps it (Models tab). */
export function StorageSummary() {
  const { supported, estimate, persisted } = useStorageStore((state) => state);
  useEffect(() => {
    void storageStore.getState().refresh();
    // A load stores files: read the numbers again when one finishes.
    return modelStore.subscribe((state, previous) => {
      if ((state.pathoR1.status === 'ready' && previous.pathoR1.status !== 'ready') || (state.pathoClip.status === 'ready' && previous.pathoClip.status !== 'ready')) {
        void storageStore.getState().refresh();
      }
    });
  }, []);
  if (!supported) return <p className="text-xs text-slate-600">This browser does not report its storage, so PathoLens cannot say whether a model will fit.</p>;
  return (
    <section aria-labelledby="storage-heading" className="space-y-1 rounded border border-slate-200 p-2 text-sm" data-testid="storage-summary">
      <h3 id="storage-heading" className="font-medium">
        Storage on this device
      </h3>
      {estimate ? (
        <>
          <p className="text-xs" data-testid="storage-usage">
            {formatBytes(estimate.usage)} used of {formatBytes(estimate.quota)} this browser allows PathoLens ({formatBytes(Math.max(0, estimate.quota - estimate.usage))} left).
          </p>
          <progress className="h-1.5 w-full" max={estimate.quota || 1} value={estimate.usage} aria-label="Storage used" />
        </>
      ) : (
        <p className="text-xs text-slate-600">Reading usage and quota…</p>
      )}
      {persisted === true && <p className="text-xs text-emerald-800" data-testid="storage-persisted">Persistent: the browser keeps models and the offline app when space runs low.</p>}
      {persisted === false && (
        <div className="text-xs" data-testid="storage-persisted">
          <p>Not persistent: the browser may delete stored models and the offline app when space runs low.</p>
          <button type="button" className="mt-1 rounded border border-slate-300 px-2 py-1" onClick={() => void storageStore.getState().requestPersistence()}>
            Ask the browser to keep them
          </button>
        </div>
      )}
    </section>
  );
}

/** Where the verified cache keeps a model's files: served folders under /models/, picked ones under /user-models/, URLs as given. */
function modelFolderUrl(path: string): string {
  if (/^https?:\/\//.test(path)) return path.replace(/\/?$/, '/');
  if (path.startsWith('user/')) return new URL(`${USER_MODELS_ROOT}${path.slice('user/'.length)}/`, location.href).href;
  return new URL(`/models/${path}/`, location.href).href;
}

async function neededFiles(path: string, manifest: ModelManifest, files: readonly string[]): Promise<NeededFile[]> {
  const cache = typeof caches === 'undefined' ? null : await caches.open(MODEL_CACHE_NAME).catch(() => null);
  const base = modelFolderUrl(path);
  return Promise.all(
    files.map(async (file) => {
      const expected = manifest.files[file];
      const cached = cache ? await cache.match(`${base}${file}`) : undefined;
      return { size: expected?.size ?? 0, cached: cached !== undefined && cached.headers.get(VERIFIED_HASH_HEADER) === expected?.sha256 };
    }),
  );
}

/** Says before loading when the files a load needs will not fit in what is left of the quota (null: nothing to say). */
export function StorageFitNote({ path, manifest, files }: { path: string; manifest: ModelManifest; files: readonly string[] }) {
  const estimate = useStorageStore((state) => state.estimate);
  const [needed, setNeeded] = useState<NeededFile[] | null>(null);
  const key = files.join('\n');
  useEffect(() => {
    let current = true;
    void neededFiles(path, manifest, key ? key.split('\n') : []).then((result) => {
      if (current) setNeeded(result);
    });
    return () => {
      current = false;
    };
  }, [path, manifest, key, estimate]);
  if (!needed || !estimate) return null;
  const fit = storageFit(needed, estimate);
  const sentence = storageFitSentence(path, fit, formatBytes);
  if (!sentence) return null;
  return (
    <p className={`mt-1 text-xs ${fit.status === 'does-not-fit' ? 'text-red-800' : 'text-amber-900'}`} role={fit.status === 'does-not-fit' ? 'alert' : undefined} data-testid={`storage-fit-${path}`} data-fit={fit.status}>
      {sentence}
    </p>
  );
}
