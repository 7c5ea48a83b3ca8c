/**
 * Slide formats reached by URL whose tiles are separate images (a descriptor and a tile scheme), each with the
 * test that tells it from a URL. Anything else is read as a remote TIFF with range requests.
 */
import type { SlideSource } from '../slide-source';
import { openDzi, openIiif, type ImageDecodeFn } from '../url-tiled-slide';

export interface UrlFormat {
  readonly format: 'dzi' | 'iiif';
  supports(url: string): boolean;
  open(url: string, fetchImpl: typeof fetch, decodeImage: ImageDecodeFn, signal?: AbortSignal): Promise<SlideSource>;
}

/** Deep Zoom: the .dzi (or .xml) descriptor. */
export const deepZoom: UrlFormat = {
  format: 'dzi',
  supports: (url) => /\.(dzi|xml)(\?.*)?$/i.test(url),
  open: openDzi,
};

/** IIIF Image API: the info.json, or any URL under an /iiif/ path. */
export const iiifImage: UrlFormat = {
  format: 'iiif',
  supports: (url) => /\/info\.json(\?.*)?$/.test(url) || /\/iiif\//i.test(url),
  open: openIiif,
};

export const URL_FORMATS: readonly UrlFormat[] = [deepZoom, iiifImage];
