/**
 * The Models tab's plain-words account of a load plan: which weights, on which part of the computer, and why
 * Automatic chose them (e.g. "8-bit weights (q8) on this computer's processor (WASM, 2 threads): the fastest kind
 * there."). Pure, so the sentences are tested without a browser.
 */
import type { ModelDtype, ModelManifest } from '../../inference/model-manifest';
import type { InferenceDevice } from '../../inference/patho-r1-runtime';
import { WASM_MEMORY_LIMIT_BYTES, wasmMemoryEstimate } from '../../inference/wasm-memory';
import { estimateFirstTokenMs, type SpeedSample } from '../../inference/first-token-estimate';
import { formatBytes } from '../../ui/format-bytes';
import { belowQualityDtypes } from './pathoclip-plan';

/** The parts of a catalog entry the wording reads. */
interface ExportedModel {
  dtypes: readonly ModelDtype[];
  manifest: ModelManifest;
}

const WEIGHTS: Record<ModelDtype, string> = {
  q8: '8-bit weights (q8)',
  q4: '4-bit weights (q4)',
  q4f16: '4-bit weights with 16-bit arithmetic (q4f16)',
  fp16: '16-bit weights (fp16)',
  fp32: '32-bit weights (fp32)',
};

export function weightsName(dtype: ModelDtype): string {
  return WEIGHTS[dtype];
}

export function threadsLabel(threads: number): string {
  return threads === 1 ? '1 thread' : `${threads} threads`;
}

/** Where the model runs, in words: the processor (with its threads) or the GPU. */
export function placeName(device: InferenceDevice, wasmThreads: number): string {
  return device === 'webgpu' ? 'the GPU (WebGPU)' : `this computer's processor (WASM, ${threadsLabel(wasmThreads)})`;
}

/** Why Automatic took this dtype, or null when there is nothing worth saying. */
function reasonFor(entry: ExportedModel, device: InferenceDevice, dtype: ModelDtype): string | null {
  if (device === 'webgpu') return dtype === 'q4f16' ? 'the fastest kind on a GPU with 16-bit support' : null;
  if (dtype === 'q8') return 'the fastest kind there';
  if (!entry.dtypes.includes('q8')) {
    return 'this export has no 8-bit weights, which run several times faster on a processor (export again with --dtype q8 to add them)';
  }
  const q8Memory = wasmMemoryEstimate(entry.manifest, 'q8');
  if (q8Memory > WASM_MEMORY_LIMIT_BYTES) {
    return `the 8-bit weights, faster there, would need about ${formatBytes(q8Memory)} while loading, more than the ${formatBytes(WASM_MEMORY_LIMIT_BYTES)} a browser gives the processor path`;
  }
  if (belowQualityDtypes(entry.manifest).includes('q8')) return "the export's quality report marks the 8-bit weights below quality";
  return null;
}

/** "Will load" in plain words, with Automatic's reason, or "(your choice)" when the user picked the weights. */
export function loadPlanSentence(
  entry: ExportedModel,
  plan: { device: InferenceDevice; dtype: ModelDtype },
  dtypeChoice: ModelDtype | 'auto',
  wasmThreads: number,
): string {
  const what = `${weightsName(plan.dtype)} on ${placeName(plan.device, wasmThreads)}`;
  if (dtypeChoice !== 'auto') return `${what} (your choice).`;
  const reason = reasonFor(entry, plan.device, plan.dtype);
  return reason ? `${what}: ${reason}.` : `${what}.`;
}

/** The state line of a loaded Patho-R1: its weights, where, and the threads ONNX Runtime really started. */
export function loadedSentence(state: { dtype: ModelDtype; device: InferenceDevice; wasmThreads: number | null }): string {
  return state.device === 'webgpu'
    ? `Loaded (${state.dtype}, webgpu): ${weightsName(state.dtype)} on the GPU`
    : `Loaded (${state.dtype}, ${state.device}): ${weightsName(state.dtype)} on this computer's processor, ONNX Runtime runs ${threadsLabel(state.wasmThreads ?? 1)}`;
}

/** The region size the estimate is stated for: a typical Ask region (448 x 336 px, 768 patches). */
export const ESTIMATE_REGION = { width: 448, height: 336 };

/** "A question about a 448 x 336 px region should start answering in about 9 s here", or null without a measurement. */
export function firstTokenSentence(speed: SpeedSample | null, region = ESTIMATE_REGION): string | null {
  const ms = speed ? estimateFirstTokenMs(speed, region.width, region.height) : null;
  if (ms === null || !Number.isFinite(ms)) return null;
  const seconds = ms < 10_000 ? (Math.max(ms, 100) / 1000).toFixed(1) : String(Math.round(ms / 1000));
  return `A first question about a ${region.width} x ${region.height} px region should start answering in about ${seconds} s on this computer (measured after loading).`;
}
