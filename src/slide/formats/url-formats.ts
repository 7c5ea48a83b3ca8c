/**
 * Slide formats reached by URL whose tiles are separate images (a descriptor and a tile scheme), each with the
 * test that tells it from a URL. Anything else is read as a remote TIFF with range requests.
 */
import { openDicomWeb, parseDicomWebUrl } from '../dicom/dicomweb';
import type { SlideSource } from '../slide-source';
import type { TileDecodeFn } from '../tiff-slide';
import { openDzi, openIiif, type ImageDecodeFn } from '../url-tiled-slide';

/** What a URL format may need to open a slide. */
export interface UrlOpenOptions {
  fetch: typeof fetch;
  decodeImage: ImageDecodeFn;
  decodeTile: TileDecodeFn;
  tileCacheBytes?: number;
  /** Sent as `Authorization: Bearer …` by the formats that take one (DICOMweb). */
  bearerToken?: string;
  signal?: AbortSignal;
}

export interface UrlFormat {
  readonly format: 'dzi' | 'iiif' | 'dicomweb';
  supports(url: string): boolean;
  open(url: string, options: UrlOpenOptions): Promise<SlideSource>;
}

/** Deep Zoom: the .dzi (or .xml) descriptor. */
export const deepZoom: UrlFormat = {
  format: 'dzi',
  supports: (url) => /\.(dzi|xml)(\?.*)?$/i.test(url),
  open: (url, options) => openDzi(url, options.fetch, options.decodeImage, options.signal),
};

/** IIIF Image API: the info.json, or any URL under an /iiif/ path. */
export const iiifImage: UrlFormat = {
  format: 'iiif',
  supports: (url) => /\/info\.json(\?.*)?$/.test(url) || /\/iiif\//i.test(url),
  open: (url, options) => openIiif(url, options.fetch, options.decodeImage, options.signal),
};

/** DICOMweb: a study or series URL (…/studies/{uid}[/series/{uid}]); frames by WADO-RS. */
export const dicomWeb: UrlFormat = {
  format: 'dicomweb',
  supports: (url) => parseDicomWebUrl(url) !== null,
  open: (url, options) => openDicomWeb(url, { ...options, decode: options.decodeTile }),
};

export const URL_FORMATS: readonly UrlFormat[] = [dicomWeb, deepZoom, iiifImage];
