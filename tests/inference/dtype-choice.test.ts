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

  it('prefers int8 q8 on WASM (ONNX Runtime Web runs it far faster than 4-bit there), then q4, never q8 on WebGPU', () => {
    expect(chooseDtype(wasm, ['fp32', 'fp16', 'q8', 'q4', 'q4f16'])).toEqual({ dtype: 'q8' });
    expect(chooseDtype(wasm, ['fp32', 'q4', 'q4f16'])).toEqual({ dtype: 'q4' });
    expect(chooseDtype(wasm, ['fp32', 'q8'])).toEqual({ dtype: 'q8' });
    expect(chooseDtype(gpu, ['fp32', 'q8'])).toEqual({ dtype: 'fp32' });
    expect(chooseDtype(gpuF16, ['fp32', 'q8', 'q4', 'q4f16'])).toEqual({ dtype: 'q4f16' });
    expect(chooseDtype(wasm, ['q4f16', 'fp16'])).toMatchObject({ error: expect.stringContaining('Export it again with --dtype q8') });
  });

  it('takes q4 on WASM when the q8 weights would not fit its 4 GiB, and the smallest files when none fits', () => {
    expect(chooseDtype(wasm, ['fp32', 'q8', 'q4'], [], ['q8', 'fp32'])).toEqual({ dtype: 'q4' });
    expect(chooseDtype(wasm, ['q8', 'q4', 'fp32'], [], ['q8', 'q4', 'fp32'])).toEqual({ dtype: 'q4' });
    expect(chooseDtype(wasm, ['q8', 'fp32'], [], ['q8', 'fp32'])).toEqual({ dtype: 'q8' });
    // Memory is WASM's limit only: a GPU keeps its own preference.
    expect(chooseDtype(gpuF16, ['q4f16', 'q4'], [], ['q4f16', 'q4'])).toEqual({ dtype: 'q4f16' });
    // Fitting comes before quality: a below-quality dtype that fits beats one that cannot load.
    expect(chooseDtype(wasm, ['q8', 'q4'], ['q4'], ['q8'])).toEqual({ dtype: 'q4' });
  });

  it('passes over a dtype the quality report marks below quality when another one can run', () => {
    expect(chooseDtype(gpuF16, ['fp32', 'fp16', 'q4', 'q4f16'], ['q4f16', 'q4'])).toEqual({ dtype: 'fp16' });
    expect(chooseDtype(wasm, ['fp32', 'q8', 'q4'], ['q4'])).toEqual({ dtype: 'q8' });
    expect(chooseDtype(wasm, ['fp32', 'q8', 'q4'], ['q8'])).toEqual({ dtype: 'q4' });
    // Nothing better can run here: the below-quality dtype is still loaded rather than nothing.
    expect(chooseDtype(gpu, ['q4', 'q4f16'], ['q4'])).toEqual({ dtype: 'q4' });
  });
});
