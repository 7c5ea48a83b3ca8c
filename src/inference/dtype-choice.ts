/**
 * Which exported weights to load on which backend. WebGPU with shader-f16 takes q4f16 (half the memory
 * traffic); WebGPU without it (e.g. SwiftShader, many integrated GPUs) cannot run f16 kernels, so q4 with fp32
 * activations, else fp32. WASM (the computer's processor) prefers q8: ONNX Runtime Web's int8 MatMulInteger runs
 * 17-28x faster there than its 4-bit MatMulNBits on the same shapes (issue 18: 16.5 vs 277 ms for 24 Qwen2.5-0.5B
 * MLP matmuls at one token), so q4 comes second (half the memory), then fp32. WASM has one 4 GiB address space for
 * every session, so a dtype whose files would not fit it (`tooBigForWasm`, see wasm-memory.ts) is passed over when
 * a smaller one can run. Only dtypes the manifest lists for every session of the model are candidates, and a dtype
 * the export's quality report marks below quality is taken only when no other candidate can run.
 * (onnxruntime-node, the CLI and the tests choose their dtype themselves: native ONNX Runtime runs q4 fastest.)
 */
import type { ComputeBackend } from './compute-backend';
import type { ModelDtype } from './model-manifest';

const PREFERENCE: Record<'webgpu-f16' | 'webgpu' | 'wasm', readonly ModelDtype[]> = {
  'webgpu-f16': ['q4f16', 'q4', 'fp16', 'fp32'],
  webgpu: ['q4', 'fp32'],
  wasm: ['q8', 'q4', 'fp32'],
};

/** Dtypes by the size of their files, smallest first (4-bit, then 8-bit, then 16- and 32-bit floats). */
const SMALLEST_FIRST: readonly ModelDtype[] = ['q4f16', 'q4', 'q8', 'fp16', 'fp32'];

export function preferredDtypes(backend: ComputeBackend): readonly ModelDtype[] {
  if (backend.kind === 'wasm') return PREFERENCE.wasm;
  return backend.supportsShaderF16 ? PREFERENCE['webgpu-f16'] : PREFERENCE.webgpu;
}

/**
 * The dtype to load, or a sentence saying why none of the exported ones can run here. Among the dtypes the
 * backend can run, in its order of preference: the first that is neither below quality nor too big for WASM's
 * memory, else the first that fits, else the smallest (loading then says what went wrong).
 */
export function chooseDtype(
  backend: ComputeBackend,
  available: readonly ModelDtype[],
  belowQuality: readonly ModelDtype[] = [],
  tooBigForWasm: readonly ModelDtype[] = [],
): { dtype: ModelDtype } | { error: string } {
  const preferred = preferredDtypes(backend);
  const runnable = preferred.filter((candidate) => available.includes(candidate));
  const fits = (candidate: ModelDtype) => backend.kind !== 'wasm' || !tooBigForWasm.includes(candidate);
  const dtype =
    runnable.find((candidate) => fits(candidate) && !belowQuality.includes(candidate)) ??
    runnable.find(fits) ??
    // Nothing fits by the estimate: try the smallest files rather than none.
    SMALLEST_FIRST.find((candidate) => runnable.includes(candidate));
  if (dtype) return { dtype };
  const where = backend.kind === 'wasm' ? 'WASM' : `WebGPU without shader-f16 (${backend.adapterName})`;
  return {
    error: `This model folder has only ${available.join(', ') || 'no'} weights, and ${where} needs one of ${preferred.join(', ')}. Export it again with --dtype ${preferred[0]}.`,
  };
}
