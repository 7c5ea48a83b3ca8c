import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USER_MODELS_ROOT, importPickedModelFolder, readPickedModelFolder, type PickedFile } from '../../src/inference/local-model-folder';
import { memoryCache } from '../../src/inference/verified-model-cache';

/** The files of a folder as a browser's folder picker gives them ("<folder>/<path>"). */
function pick(directory: string, mutate?: (relative: string, bytes: Uint8Array) => Uint8Array): PickedFile[] {
  const folder = path.basename(directory);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? walk(path.join(dir, name)) : [path.join(dir, name)]));
  return walk(directory).map((file) => {
    const relative = path.relative(directory, file).split(path.sep).join('/');
    const bytes = mutate ? mutate(relative, new Uint8Array(readFileSync(file))) : new Uint8Array(readFileSync(file));
    const blob = new Blob([bytes as BlobPart]);
    return {
      name: path.basename(file),
      webkitRelativePath: `${folder}/${relative}`,
      size: bytes.byteLength,
      stream: () => blob.stream(),
      text: () => blob.text(),
    };
  });
}

describe('a model folder picked on disk', () => {
  it('is verified file by file and lands in the cache under /user-models/', async () => {
    const picked = await readPickedModelFolder(pick('models/tiny/patho-r1'));
    expect(picked.folder).toBe('patho-r1');
    expect(picked.manifest.kind).toBe('patho-r1');
    const cache = memoryCache();
    await importPickedModelFolder(picked, 'q4', cache);
    const keys = cache.keys();
    expect(keys).toContain(`${USER_MODELS_ROOT}patho-r1/onnx/decoder_model_merged_q4.onnx`);
    expect(keys).toContain(`${USER_MODELS_ROOT}patho-r1/manifest.json`);
    expect(keys.some((key) => key.endsWith('decoder_model_merged.onnx'))).toBe(false);
  });

  it('refuses a damaged file, a missing file and a folder without manifest with sentences', async () => {
    const damaged = await readPickedModelFolder(
      pick('models/tiny/patho-r1', (relative, bytes) => {
        if (relative === 'onnx/embed_tokens.onnx') bytes[bytes.length - 1]! ^= 0xff;
        return bytes;
      }),
    );
    await expect(importPickedModelFolder(damaged, 'fp32', memoryCache())).rejects.toThrow('onnx/embed_tokens.onnx does not match its sha256');

    const files = pick('models/tiny/patho-r1').filter((file) => !file.webkitRelativePath.endsWith('onnx/vision_encoder.onnx'));
    await expect(importPickedModelFolder(await readPickedModelFolder(files), 'fp32', memoryCache())).rejects.toThrow(
      'onnx/vision_encoder.onnx is missing from the folder "patho-r1"',
    );
    await expect(readPickedModelFolder(pick('models/tiny/patho-r1/onnx'))).rejects.toThrow('has no manifest.json at its top');
    await expect(readPickedModelFolder([])).rejects.toThrow('The chosen folder is empty');
  });
});
