/**
 * manifest.json of an exported model directory (written by models/export, see its manifest.py): every file's
 * byte size and sha256, dtypes, source and exporter version. The app parses it as untrusted input and checks
 * each file against it before handing bytes to ONNX Runtime, so a truncated download, a stale cache or a
 * mixed-up folder fails with a sentence instead of a crash deep inside the runtime.
 */
import { createSHA256 } from 'hash-wasm';

export const MANIFEST_FORMAT = 'patholens-model-dir';
export const MANIFEST_FORMAT_VERSION = 1;

export type ModelKind = 'patho-r1' | 'pathoclip';
export type ModelDtype = 'fp32' | 'fp16' | 'q4' | 'q4f16';

export interface ManifestFile {
  size: number;
  sha256: string;
  dtype?: ModelDtype;
}

export interface ModelManifest {
  kind: ModelKind;
  exporterVersion: string;
  source: Record<string, unknown>;
  dtypes: ModelDtype[];
  /** Relative POSIX path -> expectations. */
  files: Record<string, ManifestFile>;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const KINDS: readonly ModelKind[] = ['patho-r1', 'pathoclip'];
const DTYPES: readonly ModelDtype[] = ['fp32', 'fp16', 'q4', 'q4f16'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of a parsed manifest.json; any problem is one sentence naming the field. */
export function parseModelManifest(json: unknown): ModelManifest {
  const fail = (problem: string): never => {
    throw new ManifestError(`manifest.json is not a PathoLens model manifest: ${problem}. Export the model again with models/export.`);
  };
  if (!isRecord(json)) return fail('it is not a JSON object');
  if (json.format !== MANIFEST_FORMAT) return fail(`"format" is ${JSON.stringify(json.format)}, expected "${MANIFEST_FORMAT}"`);
  if (json.format_version !== MANIFEST_FORMAT_VERSION) {
    return fail(`"format_version" ${JSON.stringify(json.format_version)} is not supported (this app reads version ${MANIFEST_FORMAT_VERSION})`);
  }
  if (!KINDS.includes(json.kind as ModelKind)) return fail(`"kind" ${JSON.stringify(json.kind)} is not one of ${KINDS.join(', ')}`);
  const exporter = isRecord(json.exporter) ? json.exporter : {};
  if (typeof exporter.version !== 'string') fail('"exporter.version" is missing');
  if (!isRecord(json.files) || Object.keys(json.files).length === 0) return fail('"files" is missing or empty');
  const files: Record<string, ManifestFile> = {};
  for (const [path, entry] of Object.entries(json.files)) {
    if (path.startsWith('/') || path.split('/').includes('..')) fail(`file path "${path}" leaves the model directory`);
    if (!isRecord(entry)) return fail(`entry for "${path}" is not an object`);
    if (!Number.isSafeInteger(entry.size) || (entry.size as number) < 0) fail(`size of "${path}" is not a byte count`);
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256)) fail(`sha256 of "${path}" is not 64 hex digits`);
    if (entry.dtype !== undefined && !DTYPES.includes(entry.dtype as ModelDtype)) fail(`dtype of "${path}" is ${JSON.stringify(entry.dtype)}`);
    files[path] = { size: entry.size as number, sha256: entry.sha256 as string, ...(entry.dtype ? { dtype: entry.dtype as ModelDtype } : {}) };
  }
  const dtypes = Array.isArray(json.dtypes) ? json.dtypes.filter((dtype): dtype is ModelDtype => DTYPES.includes(dtype as ModelDtype)) : [];
  return {
    kind: json.kind as ModelKind,
    exporterVersion: exporter.version as string,
    source: isRecord(json.source) ? json.source : {},
    dtypes,
    files,
  };
}

/** Incremental sha256 so a multi-GB weight file is hashed as it streams, never held twice in memory. */
export async function sha256OfChunks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hasher = await createSHA256();
  hasher.init();
  let size = 0;
  for await (const chunk of chunks) {
    hasher.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hasher.digest('hex'), size };
}

/** Throws a ManifestError sentence when a file's measured size or hash differs from the manifest. */
export function checkFileAgainstManifest(manifest: ModelManifest, path: string, measured: { sha256: string; size: number }): void {
  const expected = manifest.files[path];
  if (!expected) throw new ManifestError(`${path} is not listed in manifest.json: the model folder holds files from another export.`);
  if (measured.size !== expected.size) {
    throw new ManifestError(
      `${path} is ${measured.size} bytes but manifest.json says ${expected.size}: the file is incomplete or from another export. Copy or download it again.`,
    );
  }
  if (measured.sha256 !== expected.sha256) {
    throw new ManifestError(`${path} does not match its sha256 in manifest.json: the file is damaged or from another export. Copy or download it again.`);
  }
}
