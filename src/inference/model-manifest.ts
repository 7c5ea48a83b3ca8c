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
/** transformers.js dtype names; q8 is its `_quantized` file suffix (int8 MatMulInteger). */
export type ModelDtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

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
  /** The exporter's comparison of each dtype with PyTorch on the user's checkpoint (absent in older exports). */
  quality?: QualityReport;
}

/** One dtype's entry of the quality report: its numbers and whether they fall below the stated thresholds. */
export interface DtypeQuality {
  belowQuality: boolean;
  /** Sentences naming each threshold the dtype misses. */
  reasons: string[];
  /** e.g. first_step_logit_cosine {min, mean}, teacher_forced_top1_agreement, best_label_change_rate. */
  metrics: Record<string, number | { min: number; mean: number }>;
}

export interface QualityReport {
  reference: string;
  thresholds: Record<string, number>;
  dtypes: Partial<Record<ModelDtype, DtypeQuality>>;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const KINDS: readonly ModelKind[] = ['patho-r1', 'pathoclip'];
const DTYPES: readonly ModelDtype[] = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];

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
  const quality = json.quality === undefined ? undefined : parseQualityReport(json.quality, fail);
  return {
    kind: json.kind as ModelKind,
    exporterVersion: exporter.version as string,
    source: isRecord(json.source) ? json.source : {},
    dtypes,
    files,
    ...(quality ? { quality } : {}),
  };
}

function isMetric(value: unknown): value is number | { min: number; mean: number } {
  return typeof value === 'number' || (isRecord(value) && typeof value.min === 'number' && typeof value.mean === 'number');
}

function parseQualityReport(json: unknown, fail: (problem: string) => never): QualityReport {
  if (!isRecord(json) || !isRecord(json.dtypes)) return fail('"quality" has no "dtypes" object');
  const dtypes: Partial<Record<ModelDtype, DtypeQuality>> = {};
  for (const [dtype, entry] of Object.entries(json.dtypes)) {
    if (!DTYPES.includes(dtype as ModelDtype)) continue; // a dtype this app cannot load
    if (!isRecord(entry) || typeof entry.below_quality !== 'boolean') fail(`"quality.dtypes.${dtype}.below_quality" is not true or false`);
    const { below_quality: belowQuality, reasons, ...rest } = entry as Record<string, unknown>;
    const metrics = Object.fromEntries(Object.entries(rest).filter(([, value]) => isMetric(value))) as DtypeQuality['metrics'];
    const sentences = Array.isArray(reasons) ? reasons.filter((reason): reason is string => typeof reason === 'string') : [];
    dtypes[dtype as ModelDtype] = { belowQuality: belowQuality as boolean, reasons: sentences, metrics };
  }
  const thresholds = isRecord(json.thresholds)
    ? (Object.fromEntries(Object.entries(json.thresholds).filter(([, value]) => typeof value === 'number')) as Record<string, number>)
    : {};
  return { reference: typeof json.reference === 'string' ? json.reference : '', thresholds, dtypes };
}

/** Dtypes whose quality report falls below the exporter's thresholds (none for an export without a report). */
export function belowQualityDtypes(manifest: ModelManifest): ModelDtype[] {
  return Object.entries(manifest.quality?.dtypes ?? {})
    .filter(([, entry]) => entry?.belowQuality)
    .map(([dtype]) => dtype as ModelDtype);
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
