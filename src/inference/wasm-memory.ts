/**
 * Whether a dtype's weights fit ONNX Runtime Web's WASM backend. Every session of a model lives in one
 * WebAssembly memory, and 32-bit WebAssembly addresses at most 4 GiB. While a session is created its model bytes
 * are copied into that memory and ONNX Runtime builds its weight tensors beside them (transformers.js creates the
 * model's sessions together), so the memory grows to about twice the weights before the copies are freed, and
 * WebAssembly memory never shrinks. Measured (npm run bench -- reasoner, Chromium, realistic-shape model): see the
 * README's reasoner section. The estimate decides only which of the exported dtypes WASM prefers; it never refuses
 * a load by itself.
 */
import { filesForDtype, totalBytes } from './model-files';
import type { ModelDtype, ModelManifest } from './model-manifest';

/** 32-bit WebAssembly's address space: the most ONNX Runtime Web's WASM backend can ever hold. */
export const WASM_MEMORY_LIMIT_BYTES = 4 * 2 ** 30;
/** The high-water mark of WASM memory per byte of ONNX weights while the sessions are created. */
export const WASM_LOAD_FACTOR = 2;
/** Beyond the weights: the KV cache of a long conversation, the vision tower's activations, the runtime itself. */
export const WASM_WORKING_BYTES = 512 * 2 ** 20;

/** Bytes of the ONNX graphs and external data a dtype loads. */
export function onnxBytes(manifest: ModelManifest, dtype: ModelDtype): number {
  return totalBytes(
    manifest,
    filesForDtype(manifest, dtype).filter((file) => file.startsWith('onnx/')),
  );
}

/** Estimated WASM memory a dtype needs: its weights twice over while loading, plus working memory. */
export function wasmMemoryEstimate(manifest: ModelManifest, dtype: ModelDtype): number {
  return WASM_LOAD_FACTOR * onnxBytes(manifest, dtype) + WASM_WORKING_BYTES;
}

/** Of `dtypes`, those whose estimate exceeds WASM's 4 GiB. */
export function dtypesTooBigForWasm(manifest: ModelManifest, dtypes: readonly ModelDtype[]): ModelDtype[] {
  return dtypes.filter((dtype) => wasmMemoryEstimate(manifest, dtype) > WASM_MEMORY_LIMIT_BYTES);
}
