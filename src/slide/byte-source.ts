/**
 * Random access to the bytes of a slide, whatever holds them: a File/Blob, an ArrayBuffer, or an HTTP server
 * that answers range requests. The TIFF parser and the tile reader only see this, so one reader serves local
 * files, remote SVS and Node paths (see node-file-source.ts, kept out of browser bundles).
 */
import { SlideError } from './slide-source';

export interface ByteSource {
  /** What the user calls it (file name or URL). */
  readonly name: string;
  /** Total size in bytes, when known. */
  readonly size: number;
  /** Bytes [offset, offset + length), shorter only at the end of the file. */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  close(): Promise<void>;
  /** A local file's Blob, which decode workers can read tiles from directly. */
  readonly blob?: Blob;
}

export function bufferSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    read: async (offset, length) => bytes.subarray(Math.min(offset, bytes.byteLength), Math.min(offset + length, bytes.byteLength)),
    close: async () => {},
  };
}

export function blobSource(name: string, blob: Blob): ByteSource {
  return {
    name,
    size: blob.size,
    blob,
    read: async (offset, length, signal) => {
      signal?.throwIfAborted();
      const end = Math.min(offset + length, blob.size);
      return new Uint8Array(await blob.slice(Math.min(offset, end), end).arrayBuffer());
    },
    close: async () => {},
  };
}

/** Reads aligned blocks of this size from a server, so many small TIFF reads become few requests. */
const HTTP_BLOCK_BYTES = 64 * 1024;
const HTTP_CACHE_BLOCKS = 256;

/** Why a range request did not give a 206, in the words a user can act on. */
function rangeRefusal(url: string, response: Response): string {
  if (response.status === 404 || response.status === 410)
    return `No slide was found at ${url} (the server answered ${response.status} Not Found). Check the address.`;
  // Single-page servers (Vite, most static hosts) answer an unknown path with their start page: a mistyped address.
  if (response.ok && /^text\/html\b/i.test(response.headers.get('Content-Type') ?? '')) {
    return `No slide was found at ${url}: the server answered with a web page, not a slide file, which is what it does for an address it does not know. Check the address.`;
  }
  if (response.ok) {
    return `The server at ${url} does not support range requests (it answered ${response.status} instead of 206), so the slide cannot be read piece by piece.`;
  }
  return `The server at ${url} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
}

/**
 * A remote file read with HTTP range requests. The server must answer `Range` with 206 and a Content-Range
 * that gives the total size; a server that ignores ranges would make us download whole slides, so we refuse.
 */
export async function httpRangeSource(url: string, fetchImpl: typeof fetch = fetch, signal?: AbortSignal): Promise<ByteSource> {
  const fetchRange = async (start: number, endInclusive: number, s?: AbortSignal): Promise<{ bytes: Uint8Array; total: number }> => {
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { Range: `bytes=${start}-${endInclusive}` }, signal: s });
    } catch (error) {
      if (s?.aborted) throw error;
      throw new SlideError(`Could not reach ${url}: ${(error as Error).message}. Check the address and that the server allows this page to read it.`);
    }
    if (response.status !== 206) throw new SlideError(rangeRefusal(url, response));
    const range = /\/(\d+)\s*$/.exec(response.headers.get('Content-Range') ?? '');
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { bytes, total: range ? Number(range[1]) : Number.NaN };
  };

  const first = await fetchRange(0, HTTP_BLOCK_BYTES - 1, signal);
  if (!Number.isFinite(first.total)) {
    throw new SlideError(`The server at ${url} did not say the file's size (no Content-Range header), so the slide cannot be read.`);
  }
  const size = first.total;
  // Small LRU of aligned blocks (Map keeps insertion order).
  const blocks = new Map<number, Promise<Uint8Array>>([[0, Promise.resolve(first.bytes)]]);
  const block = (index: number, s?: AbortSignal): Promise<Uint8Array> => {
    const cached = blocks.get(index);
    if (cached) {
      blocks.delete(index);
      blocks.set(index, cached);
      return cached;
    }
    const start = index * HTTP_BLOCK_BYTES;
    const pending = fetchRange(start, Math.min(start + HTTP_BLOCK_BYTES, size) - 1, s).then((r) => r.bytes);
    pending.catch(() => blocks.delete(index));
    blocks.set(index, pending);
    while (blocks.size > HTTP_CACHE_BLOCKS) blocks.delete(blocks.keys().next().value as number);
    return pending;
  };

  return {
    name: url,
    size,
    read: async (offset, length, s) => {
      const end = Math.min(offset + length, size);
      if (end <= offset) return new Uint8Array(0);
      // Large reads (tiles) go straight to the server; small ones (IFDs, tags) through the block cache.
      if (end - offset > HTTP_BLOCK_BYTES) return (await fetchRange(offset, end - 1, s)).bytes;
      const firstBlock = Math.floor(offset / HTTP_BLOCK_BYTES);
      const lastBlock = Math.floor((end - 1) / HTTP_BLOCK_BYTES);
      const parts = await Promise.all(Array.from({ length: lastBlock - firstBlock + 1 }, (_, i) => block(firstBlock + i, s)));
      const out = new Uint8Array(end - offset);
      let written = 0;
      parts.forEach((part, i) => {
        const blockStart = (firstBlock + i) * HTTP_BLOCK_BYTES;
        const from = Math.max(offset - blockStart, 0);
        const to = Math.min(end - blockStart, part.byteLength);
        out.set(part.subarray(from, to), written);
        written += to - from;
      });
      return out.subarray(0, written);
    },
    close: async () => blocks.clear(),
  };
}
