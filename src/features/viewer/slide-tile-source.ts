/**
 * An OpenSeadragon tile source drawn from any SlideSource: OpenSeadragon asks for a tile, the slide's reader
 * (a worker pool for TIFF/SVS) decodes it (readTileForDisplay: the decoder's ImageBitmap where the reader can, so
 * nothing is read back to RGBA; else readTile's RGBA), and it reaches the drawer as a canvas through
 * `downloadTileStart` -> `finish(..., 'context2d')`. Each viewer level is one of the slide's own pyramid
 * levels (see pyramid.ts), so no tile is decoded twice for resampling.
 */
import OpenSeadragon from 'openseadragon';
import type { RgbaImage, SlideSource } from '../../slide/slide-source';
import { viewerLevels, type ViewerLevel } from './pyramid';

interface JobUserData {
  controller?: AbortController;
}

export class SlideTileSource extends OpenSeadragon.TileSource {
  private readonly slide: SlideSource;
  private readonly slideKey: string;
  private readonly levels: ViewerLevel[];
  private readonly onTileError: (error: unknown) => void;

  constructor(slide: SlideSource, slideKey: string, onTileError: (error: unknown) => void) {
    const levels = viewerLevels(slide.metadata);
    const finest = levels[levels.length - 1];
    if (!finest) throw new Error(`${slide.metadata.name} has no pyramid level with pixels to show`);
    super({
      width: slide.metadata.width,
      height: slide.metadata.height,
      tileWidth: finest.tileWidth,
      tileHeight: finest.tileHeight,
      tileOverlap: 0,
      minLevel: 0,
      maxLevel: levels.length - 1,
      ready: true,
    });
    this.slide = slide;
    this.slideKey = slideKey;
    this.levels = levels;
    this.onTileError = onTileError;
  }

  private level(level: number): ViewerLevel | undefined {
    return this.levels?.[level];
  }

  override getLevelScale(level: number): number {
    return this.level(level)?.scale ?? Number.NaN;
  }

  override getNumTiles(level: number): OpenSeadragon.Point {
    const info = this.level(level);
    return new OpenSeadragon.Point(info?.columns ?? 0, info?.rows ?? 0);
  }

  override getTileWidth(level: number): number {
    return this.level(level)?.tileWidth ?? 0;
  }

  override getTileHeight(level: number): number {
    return this.level(level)?.tileHeight ?? 0;
  }

  override getTileUrl(level: number, x: number, y: number): string {
    // Never fetched: a unique key the tile cache is keyed by (downloadTileStart reads the tile's own coordinates).
    return `slide:${encodeURIComponent(this.slideKey)}/${level}/${x}_${y}`;
  }

  override getTileHashKey(level: number, x: number, y: number): string {
    return this.getTileUrl(level, x, y);
  }

  override hasTransparency(): boolean {
    return false;
  }

  override downloadTileStart(job: OpenSeadragon.ImageJob): void {
    const { level, x, y } = job.tile;
    const info = this.level(level);
    if (!info) {
      job.fail(`No such tile: level ${level}, ${x}_${y}`, null);
      return;
    }
    const controller = new AbortController();
    (job.userData as JobUserData).controller = controller;
    const slide = this.slide;
    const read = slide.readTileForDisplay
      ? slide.readTileForDisplay(info.slideLevel, x, y, controller.signal)
      : slide.readTile(info.slideLevel, x, y, controller.signal);
    read
      .then((tile) => {
        if (!controller.signal.aborted) return tileCanvas(tile);
        if (!('data' in tile)) tile.close();
        return null;
      })
      .then(
        (context) => {
          if (context && !controller.signal.aborted) job.finish(context, null, 'context2d');
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          this.onTileError(error);
          job.fail(error instanceof Error ? error.message : String(error), null);
        },
      );
  }

  override downloadTileAbort(job: OpenSeadragon.ImageJob): void {
    (job.userData as JobUserData).controller?.abort();
  }
}

/**
 * The tile as the canvas drawer's own cache type (a 2D context), so OpenSeadragon draws it without converting it;
 * drawing a bitmap or putting RGBA is one copy, the decoding already happened in the readers' workers.
 * OpenSeadragon frees the canvas when it drops the tile from its cache.
 */
function tileCanvas(tile: RgbaImage | ImageBitmap): CanvasRenderingContext2D {
  const canvas = document.createElement('canvas');
  canvas.width = tile.width;
  canvas.height = tile.height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) {
    if (!('data' in tile)) tile.close();
    throw new Error('the browser gave no 2D canvas for a tile');
  }
  if ('data' in tile) {
    context.putImageData(new ImageData(asImageDataPixels(tile.data), tile.width, tile.height), 0, 0);
  } else {
    context.drawImage(tile, 0, 0);
    tile.close();
  }
  return context;
}

/** ImageData needs pixels over a plain ArrayBuffer; copy only when the reader handed over shared memory. */
function asImageDataPixels(data: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? (data as Uint8ClampedArray<ArrayBuffer>) : new Uint8ClampedArray(data);
}
