/**
 * Which weights PathoCLIP loads with, per tower. The vision tower runs once per tile, so it takes the
 * quantization the backend runs best that the export's quality report does not mark below quality; the text
 * tower runs once per prompt and q4 text weights flip labels (measured on the export), so it takes fp16 where
 * the GPU has f16 kernels and fp32 elsewhere.
 */
import type { ComputeBackend } from '../../inference/compute-backend';
import { chooseDtype } from '../../inference/dtype-choice';
import { sessionDtypes } from '../../inference/model-files';
import type { ModelDtype, ModelManifest } from '../../inference/model-manifest';
import type { InferenceDevice } from '../../inference/patho-r1-runtime';

export interface PathoClipPlan {
  device: InferenceDevice;
  imageDtype: ModelDtype;
  textDtype: ModelDtype;
}

/** Dtypes the export's quality report marks below its thresholds (none for exports without a report). */
export function belowQualityDtypes(manifest: ModelManifest): ModelDtype[] {
  return Object.entries(manifest.quality?.dtypes ?? {})
    .filter(([, quality]) => quality?.belowQuality)
    .map(([dtype]) => dtype as ModelDtype);
}

export function resolvePathoClipPlan(manifest: ModelManifest, backend: ComputeBackend, imageDtypeChoice: ModelDtype | 'auto'): PathoClipPlan | { error: string } {
  const imageDtypes = sessionDtypes(manifest, 'vision_model');
  const textDtypes = sessionDtypes(manifest, 'text_model');
  let imageDtype: ModelDtype;
  if (imageDtypeChoice !== 'auto') {
    if (!imageDtypes.includes(imageDtypeChoice)) return { error: `This PathoCLIP export has no ${imageDtypeChoice} vision weights: choose one of ${imageDtypes.join(', ')}.` };
    imageDtype = imageDtypeChoice;
  } else {
    const choice = chooseDtype(backend, imageDtypes, belowQualityDtypes(manifest));
    if ('error' in choice) return choice;
    imageDtype = choice.dtype;
  }
  const f16 = backend.kind === 'webgpu' && backend.supportsShaderF16;
  const textDtype = (f16 ? (['fp16', 'fp32'] as const) : (['fp32'] as const)).find((dtype) => textDtypes.includes(dtype));
  if (!textDtype) {
    return { error: `This PathoCLIP export has no ${f16 ? 'fp16 or fp32' : 'fp32'} text weights (it has ${textDtypes.join(', ') || 'none'}): export it again with --dtype fp32,fp16.` };
  }
  return { device: backend.kind, imageDtype, textDtype };
}
