/**
 * A model folder the user picks on their own disk (directory picker / <input webkitdirectory>): its files are
 * read locally, checked against its manifest.json and copied into the verified model cache under
 * /user-models/<folder>/, where the worker loads them exactly like served models. Nothing is uploaded.
 */
import { filesForDtype } from './model-files';
import { ManifestError, parseModelManifest, type ModelDtype, type ModelManifest } from './model-manifest';
import { ensureVerifiedFiles, type CacheLike, type FileProgress } from './verified-model-cache';

export const USER_MODELS_ROOT = '/user-models/';

/** The part of File this needs: `webkitRelativePath` is "<folder>/<path inside>". */
export interface PickedFile {
  name: string;
  webkitRelativePath: string;
  size: number;
  stream(): ReadableStream<Uint8Array>;
  text(): Promise<string>;
}

export interface PickedModelFolder {
  folder: string;
  manifest: ModelManifest;
  /** Path inside the folder -> file. */
  files: Map<string, PickedFile>;
}

export async function readPickedModelFolder(picked: readonly PickedFile[]): Promise<PickedModelFolder> {
  if (picked.length === 0) throw new ManifestError('The chosen folder is empty: choose a folder written by models/export.');
  const files = new Map<string, PickedFile>();
  let folder = '';
  for (const file of picked) {
    const [top, ...rest] = (file.webkitRelativePath || file.name).split('/');
    folder ||= top ?? '';
    if (rest.length > 0) files.set(rest.join('/'), file);
  }
  const manifestFile = files.get('manifest.json');
  if (!manifestFile)
    throw new ManifestError(
      `The folder "${folder}" has no manifest.json at its top: choose the folder models/export wrote (it holds manifest.json and onnx/).`,
    );
  let json: unknown;
  try {
    json = JSON.parse(await manifestFile.text());
  } catch {
    throw new ManifestError(`manifest.json in "${folder}" is not valid JSON: export the model again.`);
  }
  if (!/^[\w.-]+$/.test(folder))
    throw new ManifestError(`The folder name "${folder}" has characters PathoLens cannot use: rename it (letters, digits, . - _).`);
  return { folder, manifest: parseModelManifest(json), files };
}

/** Copies the files `dtype` needs (and manifest.json) into the cache, verifying each against the manifest. */
export async function importPickedModelFolder(
  picked: PickedModelFolder,
  dtype: ModelDtype,
  cache: CacheLike,
  onProgress?: (progress: FileProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const baseUrl = `${USER_MODELS_ROOT}${picked.folder}/`;
  const needed = filesForDtype(picked.manifest, dtype);
  for (const file of needed) {
    if (!picked.files.has(file)) throw new ManifestError(`${file} is missing from the folder "${picked.folder}": copy the whole exported folder.`);
  }
  await ensureVerifiedFiles({
    baseUrl,
    manifest: picked.manifest,
    files: needed,
    cache,
    fetchFile: async (url) => new Response(picked.files.get(url.slice(baseUrl.length))!.stream()),
    ...(onProgress ? { onProgress } : {}),
    ...(signal ? { signal } : {}),
  });
  const manifestText = await picked.files.get('manifest.json')!.text();
  await cache.put(`${baseUrl}manifest.json`, new Response(manifestText, { headers: { 'Content-Type': 'application/json' } }));
}
