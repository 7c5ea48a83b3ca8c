import { describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../../src/inference/compute-backend';
import { chooseDtype } from '../../src/inference/dtype-choice';

const gpuF16: ComputeBackend = { kind: 'webgpu', adapterName: 'NVIDIA', supportsShaderF16: true };
const gpu: ComputeBackend = { kind: 'webgpu', adapterName: 'google swiftshader', supportsShaderF16: false };
const wasm: ComputeBackend = { kind: 'wasm', reason: 'no WebGPU', threads: 4 };

describe('chooseDtype', () => {
  it('prefers q4f16 on f16-capable GPUs, q4 elsewhere, fp32 as the last resort', () => {
    expect(chooseDtype(gpuF16, ['fp32', 'q4', 'q4f16'])).toEqual({ dtype: 'q4f16' });
    expect(chooseDtype(gpu, ['fp32', 'q4', 'q4f16'])).toEqual({ dtype: 'q4' });
    expect(chooseDtype(wasm, ['fp32', 'q4f16'])).toEqual({ dtype: 'fp32' });
    expect(chooseDtype(gpuF16, ['fp16'])).toEqual({ dtype: 'fp16' });
  });

  it('never picks f16 weights for a GPU without shader-f16, and says what to export', () => {
    const result = chooseDtype(gpu, ['q4f16', 'fp16']);
    expect(result).toEqual({
      error:
        'This model folder has only q4f16, fp16 weights, and WebGPU without shader-f16 (google swiftshader) needs one of q4, fp32. Export it again with --dtype q4.',
    });
  });

  it('takes q8 on WASM when there is no q4, never on WebGPU', () => {
    expect(chooseDtype(wasm, ['fp32', 'q8'])).toEqual({ dtype: 'q8' });
    expect(chooseDtype(gpu, ['fp32', 'q8'])).toEqual({ dtype: 'fp32' });
  });

  it('passes over a dtype the quality report marks below quality when another one can run', () => {
    expect(chooseDtype(gpuF16, ['fp32', 'fp16', 'q4', 'q4f16'], ['q4f16', 'q4'])).toEqual({ dtype: 'fp16' });
    expect(chooseDtype(wasm, ['fp32', 'q8', 'q4'], ['q4'])).toEqual({ dtype: 'q8' });
    // Nothing better can run here: the below-quality dtype is still loaded rather than nothing.
    expect(chooseDtype(gpu, ['q4', 'q4f16'], ['q4'])).toEqual({ dtype: 'q4' });
  });
});
