/**
 * Will a model fit in this browser's storage? Pure logic for the Models tab: the bytes a load still has to store
 * (its files that are not yet in the verified model cache) against what navigator.storage.estimate() says is left.
 * Browsers report an estimate, and Chromium pads opaque entries, so a load that would leave under
 * STORAGE_HEADROOM_FRACTION of the quota free is called tight rather than fitting.
 */

/** One file a load needs: its size from manifest.json and whether the verified cache already holds it. */
export interface NeededFile {
  size: number;
  cached: boolean;
}

/** What navigator.storage.estimate() answered (bytes), or null where the browser does not say. */
export interface StorageEstimate {
  usage: number;
  quota: number;
}

/** Keep this much of the quota free before calling a load a fit (estimates are approximate). */
export const STORAGE_HEADROOM_FRACTION = 0.05;

export type StorageFit =
  | { status: 'cached'; neededBytes: 0 }
  | { status: 'unknown'; neededBytes: number }
  | { status: 'fits' | 'tight' | 'does-not-fit'; neededBytes: number; freeBytes: number; quota: number };

export function storageFit(files: readonly NeededFile[], estimate: StorageEstimate | null): StorageFit {
  const neededBytes = files.filter((file) => !file.cached).reduce((sum, file) => sum + Math.max(0, file.size), 0);
  if (neededBytes === 0) return { status: 'cached', neededBytes: 0 };
  if (!estimate || !Number.isFinite(estimate.quota) || estimate.quota <= 0 || !Number.isFinite(estimate.usage)) return { status: 'unknown', neededBytes };
  const freeBytes = Math.max(0, estimate.quota - Math.max(0, estimate.usage));
  const status = neededBytes > freeBytes ? 'does-not-fit' : freeBytes - neededBytes < estimate.quota * STORAGE_HEADROOM_FRACTION ? 'tight' : 'fits';
  return { status, neededBytes, freeBytes, quota: estimate.quota };
}

/**
 * The sentence the Models tab shows before loading, or null when there is nothing to say (already stored, or it
 * fits with room to spare). `formatBytes` renders sizes ("1.5 GB").
 */
export function storageFitSentence(model: string, fit: StorageFit, formatBytes: (bytes: number) => string): string | null {
  switch (fit.status) {
    case 'cached':
    case 'fits':
      return null;
    case 'unknown':
      return `This browser does not say how much storage is left; ${model} needs ${formatBytes(fit.neededBytes)}.`;
    case 'tight':
      return `${model} needs ${formatBytes(fit.neededBytes)} of the ${formatBytes(fit.freeBytes)} this browser has left for PathoLens: it fits, but little room will remain.`;
    case 'does-not-fit':
      return (
        `${model} will not fit: it needs ${formatBytes(fit.neededBytes)} and this browser has ${formatBytes(fit.freeBytes)} left for PathoLens ` +
        `(quota ${formatBytes(fit.quota)}). It can still load for this visit (kept in memory), but it will be downloaded again next time. ` +
        'Free disk space, clear other sites’ data, or use a smaller dtype or the remote server.'
      );
  }
}
