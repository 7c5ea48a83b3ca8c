import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, belowQualityDtypes, checkFileAgainstManifest, parseModelManifest, sha256OfChunks } from '../../src/inference/model-manifest';

const TINY_DIRS = ['models/tiny/pathoclip', 'models/tiny/patho-r1'].filter((dir) => existsSync(path.join(dir, 'manifest.json')));

async function measure(file: string) {
  return sha256OfChunks(createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Uint8Array>);
}

describe('model manifest', () => {
  it('has at least one tiny model exported by models/export to check', () => {
    expect(TINY_DIRS.length).toBeGreaterThan(0);
  });

  for (const dir of TINY_DIRS) {
    it(`${dir}: every file matches manifest.json (size and streamed sha256)`, async () => {
      const manifest = parseModelManifest(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
      expect(['patho-r1', 'pathoclip']).toContain(manifest.kind);
      const onnxFiles = Object.keys(manifest.files).filter((file) => file.endsWith('.onnx'));
      expect(onnxFiles.length).toBeGreaterThan(0);
      for (const file of onnxFiles) expect(manifest.files[file]!.dtype).toMatch(/^(fp32|fp16|q8|q4|q4f16)$/);
      for (const file of Object.keys(manifest.files)) {
        checkFileAgainstManifest(manifest, file, await measure(path.join(dir, file)));
      }
    });

    it(`${dir}: a damaged or truncated file is refused with a sentence`, async () => {
      const manifest = parseModelManifest(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
      const [file] = Object.keys(manifest.files).filter((name) => name.endsWith('.onnx'));
      const bytes = new Uint8Array(await readFile(path.join(dir, file!)));
      const flipped = bytes.slice();
      flipped[flipped.length >> 1]! ^= 0xff;
      await expect(async () => checkFileAgainstManifest(manifest, file!, await sha256OfChunks([flipped]))).rejects.toThrow(
        /does not match its sha256 in manifest\.json/,
      );
      await expect(async () => checkFileAgainstManifest(manifest, file!, await sha256OfChunks([bytes.subarray(0, 100)]))).rejects.toThrow(
        /is 100 bytes but manifest\.json says/,
      );
      expect(() => checkFileAgainstManifest(manifest, 'onnx/other.onnx', { size: 1, sha256: '0'.repeat(64) })).toThrow(/not listed/);
    });
  }

  it('hashes incrementally exactly like a one-shot hash (known vector)', async () => {
    const text = new TextEncoder().encode('abc');
    const whole = await sha256OfChunks([text]);
    const split = await sha256OfChunks([text.subarray(0, 1), text.subarray(1)]);
    expect(whole).toEqual({ sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', size: 3 });
    expect(split).toEqual(whole);
  });

  it.each([
    [null, 'not a JSON object'],
    [{ format: 'other' }, '"format"'],
    [{ format: 'patholens-model-dir', format_version: 9 }, 'not supported'],
    [{ format: 'patholens-model-dir', format_version: 1, kind: 'llama' }, '"kind"'],
    [{ format: 'patholens-model-dir', format_version: 1, kind: 'pathoclip', exporter: { version: '1' }, files: {} }, '"files"'],
    [
      {
        format: 'patholens-model-dir',
        format_version: 1,
        kind: 'pathoclip',
        exporter: { version: '1' },
        files: { '../x': { size: 1, sha256: 'a'.repeat(64) } },
      },
      'leaves the model directory',
    ],
    [
      { format: 'patholens-model-dir', format_version: 1, kind: 'pathoclip', exporter: { version: '1' }, files: { x: { size: -1, sha256: 'a'.repeat(64) } } },
      'not a byte count',
    ],
    [
      {
        format: 'patholens-model-dir',
        format_version: 1,
        kind: 'pathoclip',
        exporter: { version: '1' },
        files: { x: { size: 1, sha256: 'a'.repeat(64) } },
        quality: { dtypes: { q4: { below_quality: 'maybe' } } },
      },
      'below_quality',
    ],
  ])('refuses a malformed manifest (%o)', (json, problem) => {
    expect(() => parseModelManifest(json)).toThrow(ManifestError);
    expect(() => parseModelManifest(json)).toThrow(problem);
  });

  it("reads the exporter's quality report of the tiny Patho-R1: metrics, verdicts and thresholds per dtype", async () => {
    const manifest = parseModelManifest(JSON.parse(await readFile('models/tiny/patho-r1/manifest.json', 'utf8')));
    const report = manifest.quality!;
    expect(report.thresholds).toEqual({ first_step_logit_cosine_min: 0.98, teacher_forced_top1_agreement_min: 0.9 });
    expect(Object.keys(report.dtypes).sort()).toEqual([...manifest.dtypes].sort());
    expect(report.dtypes.fp32!.metrics.first_step_logit_cosine).toEqual({ min: 1, mean: 1 });
    const q4 = report.dtypes.q4!;
    expect(q4.metrics.teacher_forced_top1_agreement).toBeGreaterThan(0.9);
    expect(q4.metrics.teacher_forced_top1_agreement).toBeLessThanOrEqual(1);
    expect(q4.belowQuality).toBe(false);
    expect(belowQualityDtypes(manifest)).toEqual([]);
  });

  it('lists the dtypes a report marks below quality, and none for an export without a report', () => {
    const base = {
      format: 'patholens-model-dir',
      format_version: 1,
      kind: 'patho-r1',
      exporter: { version: '1' },
      files: { x: { size: 1, sha256: 'a'.repeat(64) } },
    };
    expect(belowQualityDtypes(parseModelManifest(base))).toEqual([]);
    const reported = parseModelManifest({
      ...base,
      quality: {
        reference: 'PyTorch',
        thresholds: { first_step_logit_cosine_min: 0.98 },
        dtypes: {
          q4: { below_quality: true, reasons: ['first-step logit cosine 0.9100 < 0.98'], first_step_logit_cosine: { min: 0.91, mean: 0.93 } },
          q8: { below_quality: false, reasons: [], first_step_logit_cosine: { min: 0.999, mean: 0.9995 } },
          int2: { below_quality: true },
        },
      },
    });
    expect(belowQualityDtypes(reported)).toEqual(['q4']);
    expect(reported.quality!.dtypes.q4!.reasons).toEqual(['first-step logit cosine 0.9100 < 0.98']);
    expect(reported.quality!.dtypes.q8!.metrics.first_step_logit_cosine).toEqual({ min: 0.999, mean: 0.9995 });
  });
});
