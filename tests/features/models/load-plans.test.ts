/**
 * What the Models tab loads, from real manifests: Patho-R1 skips a dtype its quality report marks below quality,
 * PathoCLIP picks per-tower weights (vision by backend and report, text fp16 only on f16 GPUs), and each load
 * fetches exactly the files of the towers and dtypes it uses.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveBackend, resolveLoadPlan, resolvePathoClipLoadPlan, type CatalogEntry } from '../../../src/features/models/model-store';
import { belowQualityDtypes } from '../../../src/features/models/pathoclip-plan';
import type { ComputeBackend } from '../../../src/inference/compute-backend';
import { completeDtypes, filesForTowers, sessionDtypes } from '../../../src/inference/model-files';
import { parseModelManifest, type ModelDtype, type ModelManifest } from '../../../src/inference/model-manifest';
import { WASM_MEMORY_LIMIT_BYTES, wasmMemoryEstimate } from '../../../src/inference/wasm-memory';

const gpuF16: ComputeBackend = { kind: 'webgpu', adapterName: 'NVIDIA', supportsShaderF16: true };
const gpu: ComputeBackend = { kind: 'webgpu', adapterName: 'google swiftshader', supportsShaderF16: false };
const wasm: ComputeBackend = { kind: 'wasm', reason: 'no WebGPU', threads: 4 };

function tinyManifest(name: string): ModelManifest {
  return parseModelManifest(JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../models/tiny', name, 'manifest.json'), 'utf8')));
}

function entry(manifest: ModelManifest, entryPath: string): CatalogEntry {
  return { path: entryPath, kind: manifest.kind, manifest, dtypes: completeDtypes(manifest), maxPixels: null };
}

/** The manifest with its quality report saying `dtypes` fall below the thresholds. */
function markedBelowQuality(manifest: ModelManifest, dtypes: string[]): ModelManifest {
  const report = manifest.quality!;
  const marked = Object.fromEntries(Object.entries(report.dtypes).map(([dtype, quality]) => [dtype, { ...quality!, belowQuality: dtypes.includes(dtype) }]));
  return { ...manifest, quality: { ...report, dtypes: marked } };
}

/** The manifest with each ONNX file of the given dtypes resized so that the dtype's graphs total `bytes`. */
function withOnnxSizes(manifest: ModelManifest, bytes: Partial<Record<ModelDtype, number>>): ModelManifest {
  const files = { ...manifest.files };
  for (const [dtype, total] of Object.entries(bytes) as [ModelDtype, number][]) {
    const names = Object.keys(files).filter((file) => file.startsWith('onnx/') && files[file]!.dtype === dtype);
    for (const name of names) files[name] = { ...files[name]!, size: Math.round(total / names.length) };
  }
  return { ...manifest, files };
}

describe('Patho-R1 load plan', () => {
  const manifest = tinyManifest('patho-r1');

  it('runs on WASM past a software GPU unless the user chose WebGPU', () => {
    const software: ComputeBackend = { kind: 'wasm', reason: 'software GPU', threads: 1, softwareGpu: { adapterName: 'google swiftshader', supportsShaderF16: false } };
    expect(resolveLoadPlan(entry(manifest, 'tiny/patho-r1'), software, 'auto', 'auto')).toEqual({ device: 'wasm', dtype: 'q8' });
    expect(resolveLoadPlan(entry(manifest, 'tiny/patho-r1'), software, 'webgpu', 'auto')).toEqual({ device: 'webgpu', dtype: 'q4' });
    expect(resolveLoadPlan(entry(manifest, 'tiny/patho-r1'), wasm, 'webgpu', 'auto')).toMatchObject({ error: expect.stringContaining('not available here') });
  });

  it('loads the backend’s first choice when the quality report passes it', () => {
    expect(belowQualityDtypes(manifest)).toEqual([]);
    expect(resolveLoadPlan(entry(manifest, 'tiny/patho-r1'), wasm, 'auto', 'auto')).toEqual({ device: 'wasm', dtype: 'q8' });
    expect(resolveLoadPlan(entry(manifest, 'tiny/patho-r1'), gpuF16, 'auto', 'auto')).toEqual({ device: 'webgpu', dtype: 'q4f16' });
    // A user on a GPU machine who chooses WASM gets the processor's weights and every core, not one thread.
    expect(resolveLoadPlan(entry(manifest, 'tiny/patho-r1'), gpuF16, 'wasm', 'auto')).toEqual({ device: 'wasm', dtype: 'q8' });
    expect(effectiveBackend(gpuF16, 'wasm', 4)).toEqual({ kind: 'wasm', reason: 'chosen in the Models tab', threads: 4 });
  });

  it('takes q4 on WASM when the q8 files would not fit its 4 GiB (a 3B model), q8 when they do', () => {
    const big = withOnnxSizes(manifest, { q8: 1.9 * 2 ** 30, q4: 1.2 * 2 ** 30 });
    expect(wasmMemoryEstimate(big, 'q8')).toBeGreaterThan(WASM_MEMORY_LIMIT_BYTES);
    expect(resolveLoadPlan(entry(big, 'local/patho-r1-3b'), wasm, 'auto', 'auto')).toEqual({ device: 'wasm', dtype: 'q4' });
    expect(resolveLoadPlan(entry(big, 'local/patho-r1-3b'), gpuF16, 'auto', 'auto')).toEqual({ device: 'webgpu', dtype: 'q4f16' });
    const small = withOnnxSizes(manifest, { q8: 1.2 * 2 ** 30, q4: 0.9 * 2 ** 30 });
    expect(resolveLoadPlan(entry(small, 'local/patho-r1-0.5b'), wasm, 'auto', 'auto')).toEqual({ device: 'wasm', dtype: 'q8' });
  });

  it('passes over dtypes the report marks below quality when a better one fits', () => {
    const worse = markedBelowQuality(manifest, ['q4', 'q4f16']);
    expect(resolveLoadPlan(entry(worse, 'tiny/patho-r1'), wasm, 'auto', 'auto')).toEqual({ device: 'wasm', dtype: 'q8' });
    expect(resolveLoadPlan(entry(worse, 'tiny/patho-r1'), gpuF16, 'auto', 'auto')).toEqual({ device: 'webgpu', dtype: 'fp16' });
    // The user's own choice is respected.
    expect(resolveLoadPlan(entry(worse, 'tiny/patho-r1'), wasm, 'auto', 'q4')).toEqual({ device: 'wasm', dtype: 'q4' });
  });
});

describe('PathoCLIP load plan', () => {
  const manifest = tinyManifest('pathoclip');
  const clip = entry(manifest, 'tiny/pathoclip');

  it('quantizes the vision tower by backend and keeps the text tower at fp16 (f16 GPUs) or fp32', () => {
    expect(resolvePathoClipLoadPlan(clip, wasm, 'auto', 'auto')).toEqual({ device: 'wasm', imageDtype: 'q8', textDtype: 'fp32' });
    expect(resolvePathoClipLoadPlan(clip, gpu, 'auto', 'auto')).toEqual({ device: 'webgpu', imageDtype: 'q4', textDtype: 'fp32' });
    expect(resolvePathoClipLoadPlan(clip, gpuF16, 'auto', 'auto')).toEqual({ device: 'webgpu', imageDtype: 'q4f16', textDtype: 'fp16' });
    expect(resolvePathoClipLoadPlan(clip, gpuF16, 'wasm', 'auto')).toEqual({ device: 'wasm', imageDtype: 'q8', textDtype: 'fp32' });
  });

  it('passes over a vision dtype the report marks below quality', () => {
    const worse = entry(markedBelowQuality(manifest, ['q8']), 'tiny/pathoclip');
    expect(resolvePathoClipLoadPlan(worse, wasm, 'auto', 'auto')).toEqual({ device: 'wasm', imageDtype: 'q4', textDtype: 'fp32' });
  });

  it('says what to export when the text tower has no fp16/fp32 weights', () => {
    const textOnlyQ4 = { ...manifest, files: Object.fromEntries(Object.entries(manifest.files).filter(([file]) => !/^onnx\/text_model(_fp16)?\.onnx/.test(file))) };
    expect(resolvePathoClipLoadPlan(entry(textOnlyQ4, 'x'), wasm, 'auto', 'auto')).toEqual({
      error: expect.stringContaining('export it again with --dtype fp32,fp16'),
    });
  });

  it('fetches each tower in its own dtype and nothing else', () => {
    expect(sessionDtypes(manifest, 'vision_model').sort()).toEqual(['fp16', 'fp32', 'q4', 'q4f16', 'q8']);
    const files = filesForTowers(manifest, { vision_model: 'q4', text_model: 'fp32' });
    expect(files.filter((file) => file.startsWith('onnx/'))).toEqual(['onnx/text_model.onnx', 'onnx/vision_model_q4.onnx']);
    expect(files).toContain('config.json');
    expect(files.some((file) => /golden|safetensors|open_clip_/.test(file))).toBe(false);
  });
});
