/**
 * Picks the reader for an input, shared by the browser (open-slide.ts) and Node (open-slide-node.ts): URL
 * formats by their registry (formats/url-formats.ts), bytes by their first bytes (TIFF, whose vendor the TIFF
 * registry in formats/index.ts decides; JPEG; PNG). The environment passes how it reads bytes and decodes.
 */
import { blobSource, httpRangeSource, type ByteSource } from './byte-source';
import { ImageSlideSource } from './image-slide';
import { SlideError, type SlideSource } from './slide-source';
import { TiffSlideSource, type SampleDecodeFn, type TileDecodeFn, type TileDisplayDecodeFn } from './tiff-slide';
import { looksLikeTiff, parseTiff } from './tiff-structure';
import { isNdpi, NdpiSlideSource } from './ndpi/ndpi-slide';
import { URL_FORMATS } from './formats/url-formats';
import { openDicomFiles } from './dicom/dicom-files';
import { looksLikeDicom } from './dicom/part10-instance';
import { isMiraxFileSet, lonelyMrxsError, openMiraxFiles } from './mrxs/mrxs-slide';
import type { ImageDecodeFn } from './url-tiled-slide';

export interface OpenSlideOptions {
  decodeTile: TileDecodeFn;
  /** Browser only: tiles for the viewer as the decoder's ImageBitmaps (no readback to RGBA). */
  decodeTileForDisplay?: TileDisplayDecodeFn;
  /** Sample values of a block, for the channel statistics of fluorescence and high-bit-depth slides. */
  decodeSamples: SampleDecodeFn;
  /** decodeTile reads Blob ranges itself (worker pool), so tile bytes never pass through the page. */
  decodeReadsBlobs?: boolean;
  decodeImage: ImageDecodeFn;
  fetch: typeof fetch;
  tileCacheBytes?: number;
  /** Access token for servers that need one (DICOMweb), sent as `Authorization: Bearer …`. */
  bearerToken?: string;
  signal?: AbortSignal;
}

export type SlideKind = 'tiff' | 'dicom' | 'jpeg' | 'png' | 'unknown';

/** What the first bytes say the file is. */
export function sniff(head: Uint8Array): SlideKind {
  if (looksLikeTiff(head)) return 'tiff';
  if (looksLikeDicom(head)) return 'dicom';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'png';
  return 'unknown';
}

const MAX_PLAIN_IMAGE_BYTES = 512 * 1024 * 1024;

export async function openByteSource(source: ByteSource, options: OpenSlideOptions): Promise<SlideSource> {
  try {
    // An MRXS slide's .mrxs file holds no pixels (they are in the folder of the same name next to it).
    if (/\.mrxs$/i.test(source.name)) throw lonelyMrxsError(source.name);
    const head = await source.read(0, 132, options.signal);
    const kind = sniff(head);
    if (kind === 'dicom') return await openDicomFiles(source.name, [source], { ...options, decode: options.decodeTile });
    if (kind === 'tiff') {
      const file = await parseTiff(source, options.signal);
      if (isNdpi(file)) {
        return await NdpiSlideSource.open(file, {
          decode: options.decodeTile,
          decodeForDisplay: options.decodeTileForDisplay,
          decodeReadsBlobs: options.decodeReadsBlobs,
          tileCacheBytes: options.tileCacheBytes,
          signal: options.signal,
        });
      }
      return await TiffSlideSource.open(source, {
        file,
        decode: options.decodeTile,
        decodeForDisplay: options.decodeTileForDisplay,
        decodeSamples: options.decodeSamples,
        decodeReadsBlobs: options.decodeReadsBlobs,
        tileCacheBytes: options.tileCacheBytes,
        signal: options.signal,
      });
    }
    if (kind === 'jpeg' || kind === 'png') {
      if (source.size > MAX_PLAIN_IMAGE_BYTES) throw new SlideError(`${source.name} is too large to open as a plain image.`);
      const bytes = await source.read(0, source.size, options.signal);
      let image;
      try {
        image = await options.decodeImage(bytes, options.signal);
      } catch (error) {
        if (error instanceof SlideError) throw error;
        throw new SlideError(`${source.name} could not be decoded as ${kind.toUpperCase()}: the file is damaged.`);
      }
      return new ImageSlideSource(source.name, image, kind === 'png' ? 'image/png' : 'image/jpeg');
    }
    if (source.size === 0) throw new SlideError(`${source.name} is empty.`);
    throw new SlideError(`${source.name} is not a slide PathoLens can read: open an SVS, TIFF, OME-TIFF, DICOM, JPEG or PNG file.`);
  } catch (error) {
    await source.close().catch(() => {});
    throw asSlideError(error, source.name, options.signal);
  }
}

/** Any failure as a SlideError sentence (aborts pass through as they are). */
export function asSlideError(error: unknown, name: string, signal?: AbortSignal): unknown {
  if (error instanceof SlideError || signal?.aborted) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new SlideError(`${name} could not be read: ${detail}. The file may be damaged or in a format PathoLens does not support.`);
}

/** What the user calls several files: their folder's name (from a folder pick), else the first file's name and a count. */
export function filesName(sources: readonly ByteSource[], folder?: string): string {
  if (folder) return folder;
  return sources.length === 1 ? sources[0]!.name : `${sources[0]?.name ?? 'files'} and ${sources.length - 1} more files`;
}

/**
 * Several files of one slide (a DICOM series: one file per level, label, overview; an MRXS slide's folder:
 * Slidedat.ini, Index.dat, Data*.dat), or a folder's files. One file goes the single-file way, so a lone TIFF in
 * a multi-file pick still opens.
 */
export async function openFileSet(sources: ByteSource[], options: OpenSlideOptions, folder?: string): Promise<SlideSource> {
  if (sources.length === 0) throw new SlideError('No file was chosen; choose the slide file, or all files (or the folder) of a DICOM or MRXS slide.');
  const mirax = isMiraxFileSet(sources);
  if (sources.length === 1 && !folder && !mirax) return openByteSource(sources[0]!, options);
  const mrxs = sources.find((source) => /\.mrxs$/i.test(source.name));
  const name = folder ?? mrxs?.name ?? filesName(sources, folder);
  try {
    if (mirax) {
      return await openMiraxFiles(name, sources, {
        decode: options.decodeTile,
        decodeImage: options.decodeImage,
        decodeReadsBlobs: options.decodeReadsBlobs,
        tileCacheBytes: options.tileCacheBytes,
        signal: options.signal,
      });
    }
    return await openDicomFiles(name, sources, { ...options, decode: options.decodeTile });
  } catch (error) {
    throw asSlideError(error, name, options.signal);
  }
}

export async function openSlideFrom(input: ByteSource | Blob | string, options: OpenSlideOptions): Promise<SlideSource> {
  if (typeof input === 'string') {
    const url = input.trim();
    try {
      const format = URL_FORMATS.find((candidate) => candidate.supports(url));
      if (format) return await format.open(url, options);
      return await openByteSource(await httpRangeSource(url, options.fetch, options.signal), options);
    } catch (error) {
      throw asSlideError(error, url, options.signal);
    }
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    return openByteSource(blobSource(input instanceof File ? input.name : 'slide', input), options);
  }
  return openByteSource(input as ByteSource, options);
}
