import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelManifest } from '../../../src/inference/model-manifest';
import { searchIndexModelKey, visionWeightsFingerprint } from '../../../src/features/search/weights-key';

describe('search index model key', () => {
  const manifest = parseModelManifest(JSON.parse(readFileSync('models/tiny/pathoclip/manifest.json', 'utf8')));

  it('names the vision weights in use by their sha256, per dtype', () => {
    const fp32 = visionWeightsFingerprint(manifest, 'fp32');
    expect(fp32).toBe(manifest.files['onnx/vision_model.onnx']!.sha256.slice(0, 16));
    expect(visionWeightsFingerprint(manifest, 'q4')).not.toBe(fp32);
    expect(visionWeightsFingerprint({ files: {} }, 'fp32')).toBeNull();
  });

  it('changes when the folder is exported again with other weights under the same name', () => {
    const reexported = { files: { ...manifest.files, 'onnx/vision_model.onnx': { ...manifest.files['onnx/vision_model.onnx']!, sha256: 'f'.repeat(64) } } };
    const before = searchIndexModelKey('pathoclip:fp32/fp32', visionWeightsFingerprint(manifest, 'fp32'));
    const after = searchIndexModelKey('pathoclip:fp32/fp32', visionWeightsFingerprint(reexported, 'fp32'));
    expect(before).toMatch(/^pathoclip:fp32\/fp32#[0-9a-f]{16}$/);
    expect(after).not.toBe(before);
    expect(searchIndexModelKey('pathoclip:fp32/fp32', null)).toBe('pathoclip:fp32/fp32');
  });
});
