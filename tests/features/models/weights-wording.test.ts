/**
 * The Models tab says in plain words which weights load where and why (issue 18): 8-bit weights on the processor,
 * 4-bit with 16-bit arithmetic on an f16 GPU, and the reason when the processor gets 4-bit weights instead.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanSentence, loadedSentence, placeName, threadsLabel } from '../../../src/features/models/weights-wording';
import { completeDtypes } from '../../../src/inference/model-files';
import { parseModelManifest, type ModelDtype, type ModelManifest } from '../../../src/inference/model-manifest';

const tiny = parseModelManifest(JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../models/tiny/patho-r1/manifest.json'), 'utf8')));
const entry = (manifest: ModelManifest) => ({ manifest, dtypes: completeDtypes(manifest) });

function without(manifest: ModelManifest, dtype: ModelDtype): ModelManifest {
  return { ...manifest, files: Object.fromEntries(Object.entries(manifest.files).filter(([, file]) => file.dtype !== dtype)) };
}

function resized(manifest: ModelManifest, dtype: ModelDtype, size: number): ModelManifest {
  return {
    ...manifest,
    files: Object.fromEntries(Object.entries(manifest.files).map(([name, file]) => [name, file.dtype === dtype ? { ...file, size } : file])),
  };
}

describe('load plan wording', () => {
  it('says 8-bit weights on the processor with its threads, and why', () => {
    expect(loadPlanSentence(entry(tiny), { device: 'wasm', dtype: 'q8' }, 'auto', 2)).toBe(
      "8-bit weights (q8) on this computer's processor (WASM, 2 threads): the fastest kind there.",
    );
    expect(loadPlanSentence(entry(tiny), { device: 'webgpu', dtype: 'q4f16' }, 'auto', 2)).toBe(
      '4-bit weights with 16-bit arithmetic (q4f16) on the GPU (WebGPU): the fastest kind on a GPU with 16-bit support.',
    );
    expect(loadPlanSentence(entry(tiny), { device: 'webgpu', dtype: 'q4' }, 'auto', 2)).toBe('4-bit weights (q4) on the GPU (WebGPU).');
  });

  it('says why the processor gets 4-bit weights: none exported, too big for WASM, or below quality', () => {
    const noQ8 = without(tiny, 'q8');
    expect(loadPlanSentence(entry(noQ8), { device: 'wasm', dtype: 'q4' }, 'auto', 1)).toBe(
      "4-bit weights (q4) on this computer's processor (WASM, 1 thread): this export has no 8-bit weights, which run several times faster on a processor (export again with --dtype q8 to add them).",
    );
    // Three 0.7 GiB graphs: 2 x 2.1 GiB + working memory is over 4 GiB.
    const big = resized(tiny, 'q8', 0.7 * 2 ** 30);
    expect(loadPlanSentence(entry(big), { device: 'wasm', dtype: 'q4' }, 'auto', 4)).toMatch(
      /^4-bit weights \(q4\) on this computer's processor \(WASM, 4 threads\): the 8-bit weights, faster there, would need about 4\.\d GB while loading, more than the 4\.0 GB a browser gives the processor path\.$/,
    );
    const report = tiny.quality!;
    const q8Below = { ...tiny, quality: { ...report, dtypes: { ...report.dtypes, q8: { ...report.dtypes.q8!, belowQuality: true } } } };
    expect(loadPlanSentence(entry(q8Below), { device: 'wasm', dtype: 'q4' }, 'auto', 2)).toContain("the export's quality report marks the 8-bit weights below quality");
  });

  it('marks a user-chosen dtype as such', () => {
    expect(loadPlanSentence(entry(tiny), { device: 'wasm', dtype: 'fp32' }, 'fp32', 2)).toBe("32-bit weights (fp32) on this computer's processor (WASM, 2 threads) (your choice).");
  });

  it('states the threads ONNX Runtime really started once loaded', () => {
    expect(loadedSentence({ dtype: 'q8', device: 'wasm', wasmThreads: 2 })).toBe(
      "Loaded (q8, wasm): 8-bit weights (q8) on this computer's processor, ONNX Runtime runs 2 threads",
    );
    expect(loadedSentence({ dtype: 'q4f16', device: 'webgpu', wasmThreads: null })).toBe('Loaded (q4f16, webgpu): 4-bit weights with 16-bit arithmetic (q4f16) on the GPU');
    expect(threadsLabel(1)).toBe('1 thread');
    expect(placeName('wasm', 8)).toBe("this computer's processor (WASM, 8 threads)");
  });
});
