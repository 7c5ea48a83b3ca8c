/**
 * Which files of an exported model directory a given dtype needs: the configs, tokenizer and processor files,
 * and the ONNX graphs (with their external data) of that dtype only. The PyTorch checkpoint and the goldens
 * that tiny test models carry are never downloaded.
 */
import type { ModelDtype, ModelManifest } from './model-manifest';

const NEVER_LOADED = /(^|\/)(golden[^/]*|[^/]*\.safetensors|open_clip_[^/]*|manifest\.json)$/;

export function filesForDtype(manifest: ModelManifest, dtype: ModelDtype): string[] {
  return Object.keys(manifest.files)
    .filter((file) => {
      if (NEVER_LOADED.test(file)) return false;
      if (file.startsWith('onnx/')) return manifest.files[file]!.dtype === dtype;
      return !file.includes('/') && /\.(json|jinja|txt)$/.test(file);
    })
    .sort();
}

export function totalBytes(manifest: ModelManifest, files: readonly string[]): number {
  return files.reduce((sum, file) => sum + (manifest.files[file]?.size ?? 0), 0);
}

/** Dtypes for which every ONNX session of the model was exported. */
export function completeDtypes(manifest: ModelManifest): ModelDtype[] {
  const sessionsByDtype = new Map<ModelDtype, Set<string>>();
  const allSessions = new Set<string>();
  for (const [file, entry] of Object.entries(manifest.files)) {
    const match = /^onnx\/(.+?)(?:_q4f16|_q4|_fp16|_quantized)?\.onnx$/.exec(file);
    if (!match || !entry.dtype) continue;
    allSessions.add(match[1]!);
    const sessions = sessionsByDtype.get(entry.dtype) ?? new Set<string>();
    sessions.add(match[1]!);
    sessionsByDtype.set(entry.dtype, sessions);
  }
  return [...sessionsByDtype.entries()].filter(([, sessions]) => sessions.size === allSessions.size).map(([dtype]) => dtype);
}

/** The ONNX session a graph file belongs to ("onnx/text_model_fp16.onnx" -> "text_model"), or null. */
function sessionOf(file: string): string | null {
  return /^onnx\/(.+?)(?:_q4f16|_q4|_fp16|_quantized)?\.onnx(?:_data(?:_\d+)?)?$/.exec(file)?.[1] ?? null;
}

/**
 * Files for a model whose sessions load with different weights (PathoCLIP: a quantized vision tower with an
 * fp16 text tower): the shared configs plus each named session's graph in its own dtype.
 */
export function filesForTowers(manifest: ModelManifest, dtypeBySession: Record<string, ModelDtype>): string[] {
  return Object.keys(manifest.files)
    .filter((file) => {
      if (NEVER_LOADED.test(file)) return false;
      if (!file.startsWith('onnx/')) return !file.includes('/') && /\.(json|jinja|txt)$/.test(file);
      const session = sessionOf(file);
      return session !== null && session in dtypeBySession && manifest.files[file]!.dtype === dtypeBySession[session];
    })
    .sort();
}

/** The dtypes one session was exported in (e.g. every dtype of "vision_model"). */
export function sessionDtypes(manifest: ModelManifest, session: string): ModelDtype[] {
  const dtypes = new Set<ModelDtype>();
  for (const [file, entry] of Object.entries(manifest.files)) if (entry.dtype && file.endsWith('.onnx') && sessionOf(file) === session) dtypes.add(entry.dtype);
  return [...dtypes];
}
