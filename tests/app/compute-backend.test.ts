import { describe, expect, it } from 'vitest';
import { computeBackendLabel, describeAdapter, detectComputeBackend, wasmThreadCount, type GpuAdapterLike } from '../../src/inference/compute-backend';

const adapter = (info: GpuAdapterLike['info'], features: string[] = []): GpuAdapterLike => ({
  info,
  features: new Set(features),
});

describe('detectComputeBackend', () => {
  it('takes WebGPU with the adapter name when a hardware adapter exists', async () => {
    const backend = await detectComputeBackend(
      { gpu: { requestAdapter: async () => adapter({ vendor: 'intel', architecture: 'gen-12lp' }) }, hardwareConcurrency: 4 },
      true,
    );
    expect(backend).toEqual({ kind: 'webgpu', adapterName: 'intel gen-12lp', supportsShaderF16: false });
    expect(computeBackendLabel(backend)).toBe('WebGPU · intel gen-12lp');
  });

  it('never prefers a software adapter over WASM, but keeps it for a user who chooses WebGPU', async () => {
    const software = [
      adapter({ vendor: 'google', architecture: 'swiftshader' }),
      adapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 17.0.6, 256 bits)' }),
      adapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }),
      adapter({ vendor: 'x', isFallbackAdapter: true }),
      { ...adapter({ vendor: 'y' }), isFallbackAdapter: true },
    ];
    for (const candidate of software) {
      const backend = await detectComputeBackend({ gpu: { requestAdapter: async () => candidate }, hardwareConcurrency: 4 }, true);
      expect(backend).toMatchObject({ kind: 'wasm', threads: 4, softwareGpu: { supportsShaderF16: false } });
      expect(computeBackendLabel(backend)).toMatch(/^WASM · 4 threads · The only GPU here is a software one \(.+\), slower than the CPU path/);
    }
  });

  it('reports shader-f16, which decides the q4f16 model files', async () => {
    const backend = await detectComputeBackend({ gpu: { requestAdapter: async () => adapter({ description: 'NVIDIA H200' }, ['shader-f16']) } }, true);
    expect(backend).toMatchObject({ kind: 'webgpu', adapterName: 'NVIDIA H200', supportsShaderF16: true });
    expect(computeBackendLabel(backend)).toContain('shader-f16');
  });

  it('falls back to WASM with a reason when navigator.gpu is missing', async () => {
    const backend = await detectComputeBackend({ hardwareConcurrency: 8 }, true);
    expect(backend.kind).toBe('wasm');
    expect(backend).toMatchObject({ threads: 8 });
    expect(computeBackendLabel(backend)).toMatch(/^WASM · 8 threads · This browser does not offer WebGPU/);
  });

  it('falls back to WASM when no adapter is given or requestAdapter throws', async () => {
    const none = await detectComputeBackend({ gpu: { requestAdapter: async () => null } }, false);
    expect(none).toMatchObject({ kind: 'wasm', threads: 1 });
    expect(computeBackendLabel(none)).toContain('single thread');
    expect(computeBackendLabel(none)).toContain('no GPU adapter');

    const thrown = await detectComputeBackend(
      {
        gpu: {
          requestAdapter: async () => {
            throw new Error('GPU process crashed');
          },
        },
      },
      false,
    );
    expect(thrown).toMatchObject({ kind: 'wasm' });
    expect(computeBackendLabel(thrown)).toContain('GPU process crashed');
  });
});

describe('helpers', () => {
  it('names adapters from description, else vendor/architecture/device', () => {
    expect(describeAdapter(undefined)).toBe('unnamed adapter');
    expect(describeAdapter({})).toBe('unnamed adapter');
    expect(describeAdapter({ description: '  Apple M3  ', vendor: 'apple' })).toBe('Apple M3');
    expect(describeAdapter({ vendor: 'intel', architecture: '', device: 'gen-12lp' })).toBe('intel gen-12lp');
  });

  it('uses every core while generating, only when cross-origin isolated, at most 8', () => {
    expect(wasmThreadCount({ hardwareConcurrency: 16 }, false)).toBe(1);
    expect(wasmThreadCount({ hardwareConcurrency: 16 }, true)).toBe(8);
    expect(wasmThreadCount({ hardwareConcurrency: 8 }, true)).toBe(8);
    expect(wasmThreadCount({ hardwareConcurrency: 4 }, true)).toBe(4);
    // The 2-core kiosk of issue 18: two threads, not one (two WASM threads run about twice as fast).
    expect(wasmThreadCount({ hardwareConcurrency: 2 }, true)).toBe(2);
    expect(wasmThreadCount({ hardwareConcurrency: 1 }, true)).toBe(1);
    expect(wasmThreadCount({ hardwareConcurrency: 0 }, true)).toBe(1);
    expect(wasmThreadCount({}, true)).toBe(1);
  });
});
