/**
 * The browser's entry point to the slide readers: a local File/Blob, or a URL (DZI, IIIF, or a TIFF/SVS read
 * with range requests). Tiles and images decode in a shared pool of workers. Node callers use
 * open-slide-node.ts (paths, in-process decoding) instead.
 * Playwright specs reach openSlide and decodePool through the app's test hook (src/app/test-hook.ts).
 */
import { blobSource, type ByteSource } from './byte-source';
import { DecodePool } from './decode-pool';
import { openFileSet, openSlideFrom, type OpenSlideOptions } from './open-slide-core';
import type { SlideSource } from './slide-source';

/** `files`: several files of one slide (a DICOM series), or a folder's files with the folder's name. */
export type BrowserSlideInput = File | Blob | string | ByteSource | { file: File } | { files: File[]; folder?: string } | { url: string };

export interface BrowserOpenOptions {
  signal?: AbortSignal;
  /** Bytes of decoded tiles kept per slide (default 256 MB). */
  tileCacheBytes?: number;
  /** Decode JPEG tiles with geotiff.js's pure-JS decoder instead of the browser's (benchmark only). */
  pureJsJpeg?: boolean;
  /**
   * Benchmark only: the page reads a local file's tile bytes and posts them to the decode workers (the way before
   * the workers read the File themselves), to compare both in one run.
   */
  pageReadsBytes?: boolean;
  pool?: DecodePool;
  /** Access token for a DICOMweb server, sent as `Authorization: Bearer …`. */
  bearerToken?: string;
}

let sharedPool: DecodePool | null = null;

/** The decode workers every open slide shares (started on first use). */
export function decodePool(): DecodePool {
  sharedPool ??= new DecodePool();
  return sharedPool;
}

export function openSlide(input: BrowserSlideInput, options: BrowserOpenOptions = {}): Promise<SlideSource> {
  const pool = options.pool ?? decodePool();
  const readers: OpenSlideOptions = {
    decodeTile: (request, signal) => pool.decodeTile(request, signal, options.pureJsJpeg ?? false),
    decodeTileForDisplay: options.pureJsJpeg ? undefined : (request, signal) => pool.decodeTileForDisplay(request, signal),
    decodeSamples: (request, signal) => pool.decodeSamples(request, signal),
    decodeReadsBlobs: !options.pageReadsBytes,
    decodeImage: (bytes, signal) => pool.decodeImage(bytes, signal),
    fetch: (...args) => fetch(...args),
    tileCacheBytes: options.tileCacheBytes,
    bearerToken: options.bearerToken,
    signal: options.signal,
  };
  if (typeof input === 'object' && 'files' in input) {
    return openFileSet(
      input.files.map((file) => blobSource(file.name, file)),
      readers,
      input.folder,
    );
  }
  const target = typeof input === 'object' && 'file' in input ? input.file : typeof input === 'object' && 'url' in input ? input.url : input;
  return openSlideFrom(target, readers);
}
