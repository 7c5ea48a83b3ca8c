/**
 * Opening a slide in Node (CLI, tests, benchmarks): a path on disk, a URL, or bytes, decoded in-process with
 * geotiff.js's pure-JS decoders and OpenJPEG. Same readers and metadata as the browser; only I/O and the
 * decode pool differ. Never imported by browser code.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { bufferSource, httpRangeSource, type ByteSource } from './byte-source';
import { nodeFileSource } from './node-file-source';
import { installNodeOpenJpeg } from './openjpeg-node';
import { openFileSet, openSlideFrom, type OpenSlideOptions } from './open-slide-core';
import type { RgbaImage, SlideSource } from './slide-source';
import { resolveTileRequest } from './tile-codec';
import { decodeTile, decodeTileSamples } from './tile-decoder';
import { SlideError } from './slide-source';
import { lonelyMrxsError } from './mrxs/mrxs-slide';

installNodeOpenJpeg();

/** A file, a folder (a DICOM slide's files), several files, a URL, or bytes. */
export type NodeSlideInput = { path: string } | { paths: string[] } | { url: string } | { name: string; bytes: Uint8Array };

/** Plain JPEG/PNG in Node, through sharp (a dev dependency: CLI and tests only). */
async function decodeImageWithSharp(bytes: Uint8Array): Promise<RgbaImage> {
  const { default: sharp } = await import('sharp');
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: 64 * 1024 * 1024 })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    throw new SlideError(`The image could not be decoded: ${(error as Error).message}.`);
  }
}

export const nodeDecoders: Pick<OpenSlideOptions, 'decodeTile' | 'decodeSamples' | 'decodeImage'> = {
  // JPEG stays in geotiff.js's pure-JS decoder in Node (no native dependency); WebP needs sharp.
  decodeTile: async (request) => decodeTile(await resolveTileRequest(request), { webp: decodeImageWithSharp }),
  decodeSamples: async (request) => decodeTileSamples(await resolveTileRequest(request)),
  decodeImage: decodeImageWithSharp,
};

export async function openSlideNode(input: NodeSlideInput, options: Partial<OpenSlideOptions> = {}): Promise<SlideSource> {
  const all = { ...nodeDecoders, fetch: globalThis.fetch, ...options };
  if ('paths' in input) return openFileSet(await Promise.all(input.paths.map(nodeFileSource)), all);
  if ('path' in input && (await stat(input.path).catch(() => null))?.isDirectory()) {
    const entries = await readdir(input.path, { withFileTypes: true });
    const names = entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
    return openFileSet(await Promise.all(names.map((name) => nodeFileSource(join(input.path, name)))), all, basename(input.path));
  }
  if ('path' in input && /\.mrxs$/i.test(input.path)) {
    // OpenSlide's way in to an MRXS slide: the .mrxs path, whose pixels are in the folder of the same name.
    const folder = input.path.slice(0, -'.mrxs'.length);
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => null);
    if (!entries) throw lonelyMrxsError(basename(input.path));
    const names = entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
    return openFileSet(await Promise.all(names.map((name) => nodeFileSource(join(folder, name)))), all, basename(input.path));
  }
  let source: ByteSource | string;
  if ('path' in input) source = await nodeFileSource(input.path);
  else if ('url' in input) source = input.url;
  else source = bufferSource(input.name, input.bytes);
  return openSlideFrom(source, all);
}

export async function readFileBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}

export { httpRangeSource };
