/**
 * Which exported weights to load on which backend. WebGPU with shader-f16 takes q4f16 (half the memory
 * traffic); WebGPU without it (e.g. SwiftShader, many integrated GPUs) cannot run f16 kernels, so q4 with fp32
 * activations, else fp32; WASM prefers q4 (MatMulNBits has fast CPU kernels), then q8 (int8 MatMulInteger, a
 * CPU-only kernel that WebGPU would hand back to the CPU), else fp32. Only dtypes the manifest lists for every
 * session of the model are candidates, and a dtype the export's quality report marks below quality is taken
 * only when no other candidate can run.
 */
import type { ComputeBackend } from './compute-backend';
import type { ModelDtype } from './model-manifest';

const PREFERENCE: Record<'webgpu-f16' | 'webgpu' | 'wasm', readonly ModelDtype[]> = {
  'webgpu-f16': ['q4f16', 'q4', 'fp16', 'fp32'],
  webgpu: ['q4', 'fp32'],
  wasm: ['q4', 'q8', 'fp32'],
};

export function preferredDtypes(backend: ComputeBackend): readonly ModelDtype[] {
  if (backend.kind === 'wasm') return PREFERENCE.wasm;
  return backend.supportsShaderF16 ? PREFERENCE['webgpu-f16'] : PREFERENCE.webgpu;
}

/** The dtype to load, or a sentence saying why none of the exported ones can run here. */
export function chooseDtype(
  backend: ComputeBackend,
  available: readonly ModelDtype[],
  belowQuality: readonly ModelDtype[] = [],
): { dtype: ModelDtype } | { error: string } {
  const preferred = preferredDtypes(backend);
  const runnable = preferred.filter((candidate) => available.includes(candidate));
  const dtype = runnable.find((candidate) => !belowQuality.includes(candidate)) ?? runnable[0];
  if (dtype) return { dtype };
  const where = backend.kind === 'wasm' ? 'WASM' : `WebGPU without shader-f16 (${backend.adapterName})`;
  return {
    error: `This model folder has only ${available.join(', ') || 'no'} weights, and ${where} needs one of ${preferred.join(', ')}. Export it again with --dtype ${preferred[0]}.`,
  };
}
