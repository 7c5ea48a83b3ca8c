/**
 * Which weights a search index was made with. The engine's model key names the folder and dtypes; an index must
 * also stop matching when the folder is exported again with other weights under the same name, so the key gets
 * the manifest's sha256 of the vision weights in use (external data files included). Pure.
 */
import type { ModelDtype, ModelManifest } from '../../inference/model-manifest';

/** sha256 values of the vision tower's files for `imageDtype`, shortened and joined; null when the manifest lists none. */
export function visionWeightsFingerprint(manifest: Pick<ModelManifest, 'files'>, imageDtype: ModelDtype): string | null {
  const hashes = Object.entries(manifest.files)
    .filter(([file, entry]) => file.startsWith('onnx/vision_model') && entry.dtype === imageDtype)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, entry]) => entry.sha256.slice(0, 16));
  return hashes.length > 0 ? hashes.join('+') : null;
}

/** The key a slide index is stored under for this model: its model key, plus the weights' fingerprint when known. */
export function searchIndexModelKey(modelKey: string, fingerprint: string | null): string {
  return fingerprint ? `${modelKey}#${fingerprint}` : modelKey;
}
