/**
 * The one interface every slide reader implements (TIFF/SVS/OME-TIFF, plain images, DZI, IIIF, remote TIFF).
 * The viewer draws tiles from it and the models read regions from it, so neither knows which format is open.
 * Pure types: no DOM, usable in Node (CLI, tests) and in workers.
 */
import type { ChannelDisplay, Rgb } from './channel-composite';
import type { SampleType } from './sample-values';

export type { ChannelDisplay } from './channel-composite';

/** An RGBA image in row-major order, 4 bytes a pixel: what decoders produce and models consume. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A rectangle in level-0 (full resolution) pixel coordinates. */
export interface SlideRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SlideLevel {
  width: number;
  height: number;
  /** level-0 width / this level's width (>= 1). */
  downsample: number;
  tileWidth: number;
  tileHeight: number;
}

export type SlideFormat =
  'aperio-svs' | 'ome-tiff' | 'leica-scn' | 'ventana-bif' | 'tiff' | 'image' | 'dzi' | 'iiif' | 'dicom' | 'hamamatsu-ndpi' | 'philips-tiff' | 'mirax';

export type AssociatedImageName = 'label' | 'macro' | 'thumbnail';

/**
 * A channel of a slide whose samples are not colour pixels (fluorescence channels, 12/16-bit or signed data).
 * Such slides are shown as fluorescence viewers (Viv, QuPath) show them: each visible channel windowed, times
 * its colour, added into RGB.
 */
export interface SlideChannel {
  name: string;
  color: Rgb;
  sampleType: SampleType;
  /** Smallest and largest value of the lowest pyramid level. */
  range: [number, number];
  /** Default contrast window (values mapped to black and full colour): 0.1th-99.9th percentile of that level. */
  window: [number, number];
}

export interface SlideMetadata {
  /** File name or URL, as the user knows it. */
  name: string;
  format: SlideFormat;
  /** e.g. "Aperio", null when unknown. */
  vendor: string | null;
  width: number;
  height: number;
  /** Pyramid levels, level 0 first (full resolution), each smaller than the one before. */
  levels: SlideLevel[];
  /** Microns per pixel at level 0; null when the file does not say ("unknown scale"). */
  mppX: number | null;
  mppY: number | null;
  /** Present when mppX/mppY are known but probably wrong (e.g. a 72-dpi default in the TIFF tags): says why. */
  scaleNote?: string;
  /** Scanning objective magnification (Aperio AppMag), null when unknown. */
  objectivePower: number | null;
  /** Human-readable compression of level 0, e.g. "JPEG", "JPEG 2000 (Aperio 33003)". */
  compression: string | null;
  /** Label, macro and thumbnail images the file holds: shown in the metadata panel, never over the slide. */
  associatedImages: AssociatedImageName[];
  /** Raw vendor properties (Aperio key = value pairs, TIFF tags of interest), for the metadata panel. */
  properties: Record<string, string>;
  /**
   * Present when the stored samples are channels, not colour pixels: tiles and regions (and so what the models
   * see) are then an RGB rendering of the visible channels with their current windows, not the stored values.
   */
  channels?: SlideChannel[];
}

export interface ReadRegionResult extends RgbaImage {
  /** Microns per pixel of the returned pixels (null when the slide's scale is unknown). */
  mpp: number | null;
  /** Pyramid level the pixels were read from, and its downsample. */
  level: number;
  downsample: number;
}

export interface SlideSource {
  readonly metadata: SlideMetadata;
  /** One tile of a pyramid level, decoded to RGBA (edge tiles are cropped to the level's size). */
  readTile(level: number, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage>;
  /**
   * The same tile for drawing only (the viewer), where a reader can skip the readback to RGBA: the browser
   * decoder's ImageBitmap (the caller draws and closes it), or the RGBA tile. Same pixels as readTile.
   */
  readTileForDisplay?(level: number, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage | ImageBitmap>;
  /**
   * The pixels of `rect` (level-0 coordinates) at `targetMpp` microns per pixel, read from the best pyramid
   * level (the smallest level at least as detailed) and resampled; not a screenshot of the canvas.
   * `targetMpp` null reads at level-0 resolution.
   */
  readRegion(rect: SlideRect, targetMpp: number | null, signal?: AbortSignal): Promise<ReadRegionResult>;
  readAssociatedImage(name: AssociatedImageName, signal?: AbortSignal): Promise<RgbaImage>;
  /** Slides with `metadata.channels`: how each channel is drawn now (copies). */
  channelDisplay?(): ChannelDisplay[];
  /** Slides with `metadata.channels`: show/hide a channel or change its window; later tiles use it. */
  setChannelDisplay?(index: number, change: Partial<ChannelDisplay>): void;
  /** Releases workers, file handles and caches. */
  close(): Promise<void>;
}

/** A reader failure the user can act on; `message` is a full sentence. */
export class SlideError extends Error {
  override name = 'SlideError';
}
