/**
 * Downloads (or copies) the files a model needs, checks each against manifest.json (byte size and sha256,
 * hashed as it streams) and keeps it in a cache, so later loads skip the download and a damaged or mixed-up
 * file never reaches ONNX Runtime. transformers.js then reads the files through `asTransformersCache`.
 */
import { ManifestError, checkFileAgainstManifest, sha256OfChunks, type ModelManifest } from './model-manifest';

/** The part of the Web Cache API used here (Cache Storage in browsers; a Map in Node tests). */
export interface CacheLike {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response): Promise<void>;
}

export const VERIFIED_HASH_HEADER = 'x-patholens-sha256';

/** The Cache Storage cache that holds verified model files (read by the worker through transformers.js). */
export const MODEL_CACHE_NAME = 'patholens-models';

export interface FileProgress {
  file: string;
  loadedBytes: number;
  totalBytes: number;
  fromCache: boolean;
}

async function* readChunks(response: Response, onChunk: (bytes: number) => void, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      if (signal?.aborted) throw new DOMException('Loading was cancelled.', 'AbortError');
      const { done, value } = await reader.read();
      if (done) return;
      onChunk(value.byteLength);
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Makes sure each file is in `cache`, verified. `baseUrl` is the model directory ("/models/tiny/patho-r1/").
 * Cached files whose recorded hash matches the manifest are not fetched again.
 */
export async function ensureVerifiedFiles(options: {
  baseUrl: string;
  manifest: ModelManifest;
  files: readonly string[];
  cache: CacheLike;
  fetchFile?: (url: string, signal?: AbortSignal) => Promise<Response>;
  onProgress?: (progress: FileProgress) => void;
  /** Called instead of failing when the cache refuses a verified file (too large, out of quota). */
  onCacheRefused?: (key: string, response: Response, error: unknown) => void;
  signal?: AbortSignal;
}): Promise<void> {
  const { baseUrl, manifest, files, cache, onProgress, signal } = options;
  const fetchFile = options.fetchFile ?? ((url: string, abort?: AbortSignal) => fetch(url, abort ? { signal: abort } : {}));
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  for (const file of files) {
    const expected = manifest.files[file];
    if (!expected) throw new ManifestError(`${file} is not listed in manifest.json: export the model again.`);
    const key = `${base}${file}`;
    const cached = await cache.match(key);
    if (cached && cached.headers.get(VERIFIED_HASH_HEADER) === expected.sha256) {
      onProgress?.({ file, loadedBytes: expected.size, totalBytes: expected.size, fromCache: true });
      continue;
    }
    const response = await fetchFile(key, signal);
    if (!response.ok) {
      throw new ManifestError(`${file} could not be read (HTTP ${response.status}): the model folder is incomplete. Export or copy it again.`);
    }
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    const measured = await sha256OfChunks(
      (async function* () {
        for await (const chunk of readChunks(
          response,
          (bytes) => onProgress?.({ file, loadedBytes: (loaded += bytes), totalBytes: expected.size, fromCache: false }),
          signal,
        )) {
          chunks.push(chunk);
          yield chunk;
        }
      })(),
    );
    checkFileAgainstManifest(manifest, file, measured);
    const verified = new Blob(chunks as BlobPart[]);
    const headers = { 'Content-Length': String(measured.size), 'Content-Type': 'application/octet-stream', [VERIFIED_HASH_HEADER]: measured.sha256 };
    try {
      await cache.put(key, new Response(verified, { headers }));
    } catch (error) {
      // Browsers refuse very large entries or run out of quota (Chromium: "Unexpected internal error" for a
      // 545 MB file, measured). The verified bytes are still good for this load; only the next load downloads again.
      if (!options.onCacheRefused) throw error;
      options.onCacheRefused(key, new Response(verified, { headers }), error);
    }
  }
}

/**
 * A CacheLike over a persistent cache plus the verified files it refused, kept for this page's lifetime only.
 * transformers.js reads through it, so a refused file is served from memory instead of fetched unverified.
 */
export function withRefusedFiles(cache: CacheLike): CacheLike & { keep(key: string, response: Response): void; refusedCount(): number } {
  const refused = new Map<string, Response>();
  return {
    async match(key) {
      const kept = refused.get(new URL(key, globalThis.location?.href ?? 'http://localhost/').href) ?? refused.get(key);
      return kept ? kept.clone() : cache.match(key);
    },
    put: (key, response) => cache.put(key, response),
    keep(key, response) {
      refused.set(new URL(key, globalThis.location?.href ?? 'http://localhost/').href, response);
    },
    refusedCount: () => refused.size,
  };
}

/** A Map-backed CacheLike for Node and tests. */
export function memoryCache(): CacheLike & { keys(): string[] } {
  const entries = new Map<string, { body: ArrayBuffer; headers: [string, string][] }>();
  return {
    async match(key) {
      const entry = entries.get(key);
      return entry ? new Response(entry.body.slice(0), { headers: entry.headers }) : undefined;
    },
    async put(key, response) {
      entries.set(key, { body: await response.arrayBuffer(), headers: [...response.headers.entries()] });
    },
    keys: () => [...entries.keys()],
  };
}
