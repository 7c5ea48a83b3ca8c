/**
 * SlideSource for a DICOM whole-slide series, wherever its frames come from: Part 10 files on disk
 * (dicom-files.ts) or a DICOMweb server (dicomweb.ts). The series plan (wsi-series.ts) says which frame is each
 * tile; a FrameReader fetches the frame; the TIFF tile decoders decode it (transfer-syntax.ts maps the codec).
 */
import { cropTile, MAX_REGION_PIXELS, pasteTile, readRegionFromTiles } from '../region';
import {
  SlideError,
  type AssociatedImageName,
  type ReadRegionResult,
  type RgbaImage,
  type SlideMetadata,
  type SlideRect,
  type SlideSource,
} from '../slide-source';
import type { TileDecodeFn } from '../tiff-slide';
import { TileCache } from '../tile-cache';
import type { BlobRanges, TileCodec } from '../tile-codec';
import { frameCodec, transferSyntaxName } from './transfer-syntax';
import type { TiledImage, WsiInstance, WsiSeries } from './wsi-series';

/** A frame as the decoder takes it: its bytes, or where they lie in a local file. */
export type FrameBytes = { planes: Uint8Array[]; file?: undefined } | { file: BlobRanges; planes?: undefined };

export interface FrameReader<T> {
  /** Frame `frame` (0-based) of an instance, and the transfer syntax it is stored in. */
  readFrame(instance: WsiInstance<T>, frame: number, signal?: AbortSignal): Promise<{ bytes: FrameBytes; transferSyntax: string }>;
  /** A key that names the instance (decoder state is kept per key). */
  instanceKey(instance: WsiInstance<T>): string;
  close(): Promise<void>;
}

export interface DicomSlideOptions {
  decode: TileDecodeFn;
  tileCacheBytes?: number;
  signal?: AbortSignal;
}

export class DicomSlideSource<T> implements SlideSource {
  private readonly cache: TileCache;
  private readonly codecs = new Map<string, TileCodec | string>();
  private closed = false;
  /** The transfer syntax of the first frame read (DICOMweb servers say it per frame). */
  private firstSyntax: string | null = null;

  private constructor(
    readonly metadata: SlideMetadata,
    private readonly series: WsiSeries<T>,
    private readonly reader: FrameReader<T>,
    private readonly decode: TileDecodeFn,
    tileCacheBytes?: number,
  ) {
    this.cache = new TileCache(tileCacheBytes);
  }

  /**
   * Opens the series and decodes one tile of its smallest level, so undecodable frames fail now, with a sentence.
   * `compression` null: named after the transfer syntax that first tile came in.
   */
  static async open<T>(
    name: string,
    series: WsiSeries<T>,
    reader: FrameReader<T>,
    compression: string | null,
    options: DicomSlideOptions,
  ): Promise<DicomSlideSource<T>> {
    const base = series.levels[0]!;
    const metadata: SlideMetadata = {
      name,
      format: 'dicom',
      vendor: series.vendor,
      width: base.width,
      height: base.height,
      levels: series.levels.map((level) => ({
        width: level.width,
        height: level.height,
        downsample: base.width / level.width,
        tileWidth: level.tileWidth,
        tileHeight: level.tileHeight,
      })),
      mppX: series.mppX,
      mppY: series.mppY ?? series.mppX,
      objectivePower: series.objectivePower,
      compression,
      associatedImages: (['label', 'macro', 'thumbnail'] as const).filter((kind) => series.associated[kind]),
      properties: series.properties,
    };
    const slide = new DicomSlideSource(metadata, series, reader, options.decode, options.tileCacheBytes);
    const last = series.levels.length - 1;
    const lowest = series.levels[last]!;
    const firstWritten = lowest.tiles.findIndex((tile) => tile !== null);
    await slide.readTile(last, Math.max(0, firstWritten) % lowest.columns, Math.floor(Math.max(0, firstWritten) / lowest.columns), options.signal);
    metadata.compression ??= slide.firstSyntax && transferSyntaxName(slide.firstSyntax);
    return slide;
  }

  readTile(level: number, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage> {
    if (this.closed) return Promise.reject(new SlideError(`${this.metadata.name} has been closed.`));
    const image = this.series.levels[level];
    if (!image) return Promise.reject(new SlideError(`Level ${level} does not exist in ${this.metadata.name} (it has ${this.series.levels.length}).`));
    if (!(Number.isInteger(column) && Number.isInteger(row) && column >= 0 && row >= 0 && column < image.columns && row < image.rows)) {
      return Promise.reject(new SlideError(`Tile (${column}, ${row}) is outside level ${level} of ${this.metadata.name}.`));
    }
    return this.cache.get(`${level}/${column}/${row}`, () => this.decodeTile(image, column, row, signal));
  }

  private codecFor(instance: WsiInstance<T>, transferSyntax: string): TileCodec {
    const key = `${this.reader.instanceKey(instance)}|${transferSyntax}`;
    let codec = this.codecs.get(key);
    if (!codec) {
      codec = frameCodec(key, instance.attributes, transferSyntax);
      this.codecs.set(key, codec);
    }
    if (typeof codec === 'string') {
      throw new SlideError(
        `${this.metadata.name} is a DICOM slide whose frames use ${codec}, which PathoLens cannot decode; convert it to JPEG or JPEG 2000 frames (e.g. with wsidicomizer).`,
      );
    }
    return codec;
  }

  private async decodeTile(image: TiledImage<T>, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage> {
    const width = Math.min(image.tileWidth, image.width - column * image.tileWidth);
    const height = Math.min(image.tileHeight, image.height - row * image.tileHeight);
    const address = image.tiles[row * image.columns + column];
    // A tile no frame covers (TILED_SPARSE): glass, as OpenSlide and wsidicom show it.
    if (!address) return { width, height, data: new Uint8ClampedArray(width * height * 4).fill(255) };
    const { bytes, transferSyntax } = await this.reader.readFrame(address.instance, address.frame, signal);
    this.firstSyntax ??= transferSyntax;
    const codec = this.codecFor(address.instance, transferSyntax);
    let decoded: RgbaImage;
    try {
      decoded = await this.decode({ codec, width: image.tileWidth, height: image.tileHeight, ...splitPlanes(bytes, codec) }, signal);
    } catch (error) {
      if (error instanceof SlideError || signal?.aborted) throw error;
      throw new SlideError(
        `A ${transferSyntaxName(transferSyntax)} frame of ${this.metadata.name} (DICOM) could not be decoded (${(error as Error).message ?? error}); the file is damaged.`,
      );
    }
    return cropTile(decoded, width, height);
  }

  readRegion(rect: SlideRect, targetMpp: number | null, signal?: AbortSignal): Promise<ReadRegionResult> {
    return readRegionFromTiles(this.metadata, (l, c, r, s) => this.readTile(l, c, r, s), rect, targetMpp, signal);
  }

  async readAssociatedImage(name: AssociatedImageName, signal?: AbortSignal): Promise<RgbaImage> {
    const image = this.series.associated[name];
    if (!image) throw new SlideError(`${this.metadata.name} has no ${name} image.`);
    if (image.width * image.height > MAX_REGION_PIXELS) throw new SlideError(`The ${name} image of ${this.metadata.name} is too large to show.`);
    const out: RgbaImage = { width: image.width, height: image.height, data: new Uint8ClampedArray(image.width * image.height * 4) };
    for (let row = 0; row < image.rows; row++) {
      for (let column = 0; column < image.columns; column++) {
        pasteTile(out, await this.decodeTile(image, column, row, signal), column * image.tileWidth, row * image.tileHeight);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cache.clear();
    await this.reader.close();
  }
}

/** Native frames stored plane by plane (PlanarConfiguration 1) are one range; the decoder wants one per sample. */
function splitPlanes(bytes: FrameBytes, codec: TileCodec): FrameBytes {
  if (codec.planar !== 2) return bytes;
  const n = codec.samplesPerPixel;
  if (bytes.planes) {
    const whole = bytes.planes[0]!;
    const size = whole.length / n;
    return { planes: Array.from({ length: n }, (_, s) => whole.subarray(s * size, (s + 1) * size)) };
  }
  const [{ offset, length }] = bytes.file.ranges as [{ offset: number; length: number }];
  const size = length / n;
  return { file: { ...bytes.file, ranges: Array.from({ length: n }, (_, s) => ({ offset: offset + s * size, length: size })) } };
}
