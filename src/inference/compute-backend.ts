/**
 * Which compute backend the models will run on: WebGPU when the browser gives an adapter, WASM otherwise,
 * always with the reason. Pure logic over a minimal view of `navigator`, so Node tests can drive it.
 */

/** The parts of WebGPU's GPUAdapterInfo we read (all optional: browsers redact some fields). */
export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** WebGPU's flag for an adapter that is a software implementation (newer browsers put it on info). */
  isFallbackAdapter?: boolean;
}

export interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  /** Older browsers put the fallback flag on the adapter itself. */
  isFallbackAdapter?: boolean;
  features?: { has(feature: string): boolean };
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

export interface NavigatorLike {
  gpu?: GpuLike;
  hardwareConcurrency?: number;
}

export type ComputeBackend =
  | {
      kind: 'webgpu';
      adapterName: string;
      /** shader-f16 decides between q4f16 and q4/fp32 model files. */
      supportsShaderF16: boolean;
    }
  | {
      kind: 'wasm';
      /** A sentence saying why WebGPU is not used. */
      reason: string;
      /** Threads ONNX Runtime WASM may use: >1 only when the page is cross-origin isolated. */
      threads: number;
      /** A software WebGPU adapter that was passed over (it is slower than WASM); the user may still choose it. */
      softwareGpu?: { adapterName: string; supportsShaderF16: boolean };
    };

/** Software renderers that expose WebGPU on the CPU: SwiftShader (Chrome), llvmpipe/lavapipe/softpipe (Mesa), WARP (Windows). */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/**
 * Whether an adapter runs on the CPU. Such an adapter is 35-100x slower than ONNX Runtime's WASM kernels on the same
 * CPU (measured here with SwiftShader), so "Automatic" must never prefer it.
 */
export function isSoftwareAdapter(adapter: GpuAdapterLike): boolean {
  if (adapter.info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true) return true;
  const info = adapter.info ?? {};
  return SOFTWARE_RENDERER.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

export function describeAdapter(info: GpuAdapterInfoLike | undefined): string {
  if (!info) return 'unnamed adapter';
  const description = info.description?.trim();
  if (description) return description;
  const parts = [info.vendor, info.architecture, info.device].map((part) => part?.trim()).filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : 'unnamed adapter';
}

/** The most threads ONNX Runtime WASM is given: beyond 8 its matmuls gain little and the page's other work suffers. */
export const MAX_WASM_THREADS = 8;

/**
 * Threads ONNX Runtime WASM runs a model with: every core up to MAX_WASM_THREADS. While a model generates, the
 * page's own thread is idle between tokens and the slide decoders only work while the user pans, so leaving a
 * core free cost the model half its speed on a 2-core machine (issue 18: two WASM threads run 1.8-2.2x one) and
 * gained the page nothing. Threads need SharedArrayBuffer, so the page must be cross-origin isolated; otherwise 1.
 */
export function wasmThreadCount(navigatorLike: NavigatorLike, crossOriginIsolated: boolean): number {
  if (!crossOriginIsolated) return 1;
  const cores = Math.floor(navigatorLike.hardwareConcurrency ?? 1);
  return Math.max(1, Math.min(cores, MAX_WASM_THREADS));
}

export async function detectComputeBackend(navigatorLike: NavigatorLike, crossOriginIsolated: boolean): Promise<ComputeBackend> {
  const threads = wasmThreadCount(navigatorLike, crossOriginIsolated);
  if (!navigatorLike.gpu) {
    return { kind: 'wasm', reason: 'This browser does not offer WebGPU (navigator.gpu is missing).', threads };
  }
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await navigatorLike.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'wasm', reason: `WebGPU refused to give an adapter (${detail}).`, threads };
  }
  if (!adapter) {
    return {
      kind: 'wasm',
      reason: 'WebGPU is present but no GPU adapter is available (disabled, blocklisted or no GPU).',
      threads,
    };
  }
  const adapterName = describeAdapter(adapter.info);
  const supportsShaderF16 = adapter.features?.has('shader-f16') ?? false;
  if (isSoftwareAdapter(adapter)) {
    return {
      kind: 'wasm',
      reason: `The only GPU here is a software one (${adapterName}), slower than the CPU path; choose WebGPU in the Models tab to use it anyway.`,
      threads,
      softwareGpu: { adapterName, supportsShaderF16 },
    };
  }
  return { kind: 'webgpu', adapterName, supportsShaderF16 };
}

/** The one-line label the status bar shows. */
export function computeBackendLabel(backend: ComputeBackend): string {
  if (backend.kind === 'webgpu') {
    return `WebGPU · ${backend.adapterName}${backend.supportsShaderF16 ? ' · shader-f16' : ''}`;
  }
  const threads = backend.threads > 1 ? `${backend.threads} threads` : 'single thread';
  return `WASM · ${threads} · ${backend.reason}`;
}
