import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeDtypes, filesForDtype, totalBytes } from '../../src/inference/model-files';
import { parseModelManifest, type ModelManifest } from '../../src/inference/model-manifest';
import {
  VERIFIED_HASH_HEADER,
  ensureVerifiedFiles,
  memoryCache,
  withRefusedFiles,
  type CacheLike,
  type FileProgress,
} from '../../src/inference/verified-model-cache';

const MODEL_DIR = path.resolve('models/tiny/patho-r1');
let manifest: ModelManifest;
let server: Server;
let baseUrl: string;
const served: string[] = [];

beforeAll(async () => {
  manifest = parseModelManifest(JSON.parse(await readFile(path.join(MODEL_DIR, 'manifest.json'), 'utf8')));
  // A loopback server stands in for the app serving /models/ (real HTTP, real fetch streaming).
  server = createServer((request, response) => {
    const relative = decodeURIComponent((request.url ?? '').replace(/^\/patho-r1\//, ''));
    served.push(relative);
    readFile(path.join(MODEL_DIR, relative)).then(
      (bytes) => response.end(bytes),
      () => {
        response.statusCode = 404;
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/patho-r1/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('model files', () => {
  it('a dtype needs its ONNX graphs and the configs, never the checkpoint or goldens', () => {
    const files = filesForDtype(manifest, 'fp32');
    expect(files).toContain('onnx/decoder_model_merged.onnx');
    expect(files).toContain('tokenizer.json');
    expect(files).toContain('config.json');
    expect(files.some((file) => file.includes('_q4'))).toBe(false);
    expect(files.some((file) => /safetensors|golden|manifest/.test(file))).toBe(false);
    const q4 = filesForDtype(manifest, 'q4');
    expect(q4.filter((file) => file.startsWith('onnx/')).every((file) => file.includes('_q4'))).toBe(true);
    expect(totalBytes(manifest, files)).toBeGreaterThan(100_000);
    expect(completeDtypes(manifest).sort()).toEqual(expect.arrayContaining(['fp32', 'q4']));
  });
});

describe('ensureVerifiedFiles', () => {
  it('downloads, verifies and caches each file once, reporting bytes', async () => {
    const cache = memoryCache();
    const files = filesForDtype(manifest, 'fp32');
    const progress: FileProgress[] = [];
    served.length = 0;
    await ensureVerifiedFiles({ baseUrl, manifest, files, cache, onProgress: (event) => progress.push(event) });
    expect(cache.keys().sort()).toEqual(files.map((file) => `${baseUrl}${file}`).sort());
    const decoder = await cache.match(`${baseUrl}onnx/decoder_model_merged.onnx`);
    expect(decoder!.headers.get(VERIFIED_HASH_HEADER)).toBe(manifest.files['onnx/decoder_model_merged.onnx']!.sha256);
    expect((await decoder!.arrayBuffer()).byteLength).toBe(manifest.files['onnx/decoder_model_merged.onnx']!.size);
    const last = new Map(progress.map((event) => [event.file, event]));
    for (const file of files) expect(last.get(file)).toMatchObject({ loadedBytes: manifest.files[file]!.size, fromCache: false });
    expect(served.sort()).toEqual([...files].sort());

    // Second load: everything comes from the cache, nothing is fetched.
    served.length = 0;
    const again: FileProgress[] = [];
    await ensureVerifiedFiles({ baseUrl, manifest, files, cache, onProgress: (event) => again.push(event) });
    expect(served).toEqual([]);
    expect(again.every((event) => event.fromCache)).toBe(true);
  });

  it('keeps a verified file in memory when the cache refuses it (quota, size), and fails without that fallback', async () => {
    const stubborn: CacheLike = { match: async () => undefined, put: async () => Promise.reject(new Error('Unexpected internal error.')) };
    const file = 'onnx/decoder_model_merged.onnx';
    await expect(ensureVerifiedFiles({ baseUrl, manifest, files: [file], cache: stubborn })).rejects.toThrow('Unexpected internal error.');
    const cache = withRefusedFiles(stubborn);
    await ensureVerifiedFiles({ baseUrl, manifest, files: [file], cache, onCacheRefused: (key, response) => cache.keep(key, response) });
    expect(cache.refusedCount()).toBe(1);
    const served = await cache.match(`${baseUrl}${file}`);
    expect((await served!.arrayBuffer()).byteLength).toBe(manifest.files[file]!.size);
    expect(served!.headers.get(VERIFIED_HASH_HEADER)).toBe(manifest.files[file]!.sha256);
    expect(await cache.match(`${baseUrl}tokenizer.json`)).toBeUndefined();
  });

  it('refuses a damaged file with a sentence and caches nothing for it', async () => {
    const cache = memoryCache();
    const file = 'onnx/embed_tokens.onnx';
    const tamperedFetch = async (url: string) => {
      const response = await fetch(url);
      const bytes = new Uint8Array(await response.arrayBuffer());
      bytes[bytes.length - 10]! ^= 0x01;
      return new Response(bytes);
    };
    await expect(ensureVerifiedFiles({ baseUrl, manifest, files: [file], cache, fetchFile: tamperedFetch })).rejects.toThrow(
      'onnx/embed_tokens.onnx does not match its sha256 in manifest.json',
    );
    expect(cache.keys()).toEqual([]);
  });

  it('says which file is missing when the folder is incomplete, and stops when cancelled', async () => {
    const broken = { ...manifest, files: { ...manifest.files, 'onnx/missing.onnx': { size: 1, sha256: '0'.repeat(64), dtype: 'fp32' as const } } };
    await expect(ensureVerifiedFiles({ baseUrl, manifest: broken, files: ['onnx/missing.onnx'], cache: memoryCache() })).rejects.toThrow(
      'onnx/missing.onnx could not be read (HTTP 404)',
    );
    const controller = new AbortController();
    controller.abort();
    await expect(
      ensureVerifiedFiles({ baseUrl, manifest, files: ['onnx/decoder_model_merged.onnx'], cache: memoryCache(), signal: controller.signal }),
    ).rejects.toThrow();
  });
});
