/**
 * Slides served as image tiles over HTTP (DZI, IIIF): levels and a URL per tile; the tile images are fetched
 * and decoded (in the worker pool in the browser), and any overlap is cropped away.
 */
import { dziMaxLevel, dziTileBox, parseDzi } from './dzi';
import { iiifTileUrl, parseIiifInfo } from './iiif';
import { readRegionFromTiles } from './region';
import { SlideError, type ReadRegionResult, type RgbaImage, type SlideLevel, type SlideMetadata, type SlideRect, type SlideSource } from './slide-source';
import { TileCache } from './tile-cache';

export type ImageDecodeFn = (bytes: Uint8Array, signal?: AbortSignal) => Promise<RgbaImage>;

interface TileAddress {
  url: string;
  /** Offset of the tile proper inside the fetched image (DZI overlap). */
  left: number;
  top: number;
}

export class UrlTiledSlideSource implements SlideSource {
  private readonly cache = new TileCache();

  constructor(
    readonly metadata: SlideMetadata,
    private readonly address: (level: number, column: number, row: number) => TileAddress,
    private readonly fetchImpl: typeof fetch,
    private readonly decodeImage: ImageDecodeFn,
  ) {}

  readTile(level: number, column: number, row: number, signal?: AbortSignal): Promise<RgbaImage> {
    const info = this.metadata.levels[level];
    if (!info || column < 0 || row < 0 || column * info.tileWidth >= info.width || row * info.tileHeight >= info.height) {
      return Promise.reject(new SlideError(`Tile (${column}, ${row}) of level ${level} is outside ${this.metadata.name}.`));
    }
    return this.cache.get(`${level}/${column}/${row}`, async () => {
      const { url, left, top } = this.address(level, column, row);
      let response: Response;
      try {
        response = await this.fetchImpl(url, { signal });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new SlideError(`Could not fetch a tile from ${url}: ${(error as Error).message}.`);
      }
      if (!response.ok) throw new SlideError(`The tile server answered ${response.status} for ${url}.`);
      const image = await this.decodeImage(new Uint8Array(await response.arrayBuffer()), signal);
      const width = Math.min(info.tileWidth, info.width - column * info.tileWidth);
      const height = Math.min(info.tileHeight, info.height - row * info.tileHeight);
      const out: RgbaImage = { width, height, data: new Uint8ClampedArray(width * height * 4).fill(255) };
      for (let r = 0; r < Math.min(height, image.height - top); r++) {
        const from = ((top + r) * image.width + left) * 4;
        out.data.set(image.data.subarray(from, from + Math.min(width, image.width - left) * 4), r * width * 4);
      }
      return out;
    });
  }

  readRegion(rect: SlideRect, targetMpp: number | null, signal?: AbortSignal): Promise<ReadRegionResult> {
    return readRegionFromTiles(this.metadata, (l, c, r, s) => this.readTile(l, c, r, s), rect, targetMpp, signal);
  }

  async readAssociatedImage(): Promise<RgbaImage> {
    throw new SlideError(`${this.metadata.name} is served as tiles and has no label, macro or thumbnail.`);
  }

  async close(): Promise<void> {
    this.cache.clear();
  }
}

function baseMetadata(
  name: string,
  format: 'dzi' | 'iiif',
  width: number,
  height: number,
  levels: SlideLevel[],
  mpp: number | null,
  compression: string,
): SlideMetadata {
  return { name, format, vendor: null, width, height, levels, mppX: mpp, mppY: mpp, objectivePower: null, compression, associatedImages: [], properties: {} };
}

async function fetchText(url: string, fetchImpl: typeof fetch, signal?: AbortSignal): Promise<string> {
  let response: Response;
  try {
    response = await fetchImpl(url, { signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new SlideError(`Could not reach ${url}: ${(error as Error).message}. Check the address and that the server allows this page to read it.`);
  }
  if (!response.ok) throw new SlideError(`The server answered ${response.status} ${response.statusText} for ${url}.`);
  return response.text();
}

export async function openDzi(url: string, fetchImpl: typeof fetch, decodeImage: ImageDecodeFn, signal?: AbortSignal): Promise<SlideSource> {
  const d = parseDzi(await fetchText(url, fetchImpl, signal), url);
  const maxLevel = dziMaxLevel(d);
  const levels: SlideLevel[] = [];
  for (let i = 0; i <= maxLevel; i++) {
    const width = Math.ceil(d.width / 2 ** i);
    const height = Math.ceil(d.height / 2 ** i);
    levels.push({ width, height, downsample: d.width / width, tileWidth: d.tileSize, tileHeight: d.tileSize });
    if (width <= d.tileSize && height <= d.tileSize) break;
  }
  const metadata = baseMetadata(url, 'dzi', d.width, d.height, levels, null, d.format.toUpperCase());
  return new UrlTiledSlideSource(
    metadata,
    (level, col, row) => ({ url: `${d.filesUrl}/${maxLevel - level}/${col}_${row}.${d.format}`, ...dziTileBox(d, col, row) }),
    fetchImpl,
    decodeImage,
  );
}

export async function openIiif(url: string, fetchImpl: typeof fetch, decodeImage: ImageDecodeFn, signal?: AbortSignal): Promise<SlideSource> {
  const infoUrl = /info\.json(\?.*)?$/.test(url) ? url : `${url.replace(/\/$/, '')}/info.json`;
  let json: unknown;
  try {
    json = JSON.parse(await fetchText(infoUrl, fetchImpl, signal));
  } catch (error) {
    if (error instanceof SlideError) throw error;
    throw new SlideError(`${infoUrl} is not valid JSON, so it is not a IIIF image description.`);
  }
  const info = parseIiifInfo(json, infoUrl);
  const levels: SlideLevel[] = info.scaleFactors.map((sf) => {
    const width = Math.ceil(info.width / sf);
    return { width, height: Math.ceil(info.height / sf), downsample: info.width / width, tileWidth: info.tileWidth, tileHeight: info.tileHeight };
  });
  const metadata = baseMetadata(url, 'iiif', info.width, info.height, levels, info.mpp, info.format.toUpperCase());
  metadata.properties['iiif.version'] = String(info.version);
  return new UrlTiledSlideSource(
    metadata,
    (level, col, row) => ({ url: iiifTileUrl(info, info.scaleFactors[level]!, col, row), left: 0, top: 0 }),
    fetchImpl,
    decodeImage,
  );
}
