/**
 * IIIF Image API info.json (v2 and v3) and tile URLs, pure. Scale from the physical-dimensions service when a
 * server offers it.
 */
import { SlideError } from './slide-source';
import { plausibleMpp } from './slide-numbers';

export interface IiifInfo {
  id: string;
  version: 2 | 3;
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  scaleFactors: number[];
  format: string;
  mpp: number | null;
}

const UNIT_MICRONS: Record<string, number> = { mm: 1000, cm: 10_000, in: 25_400, um: 1, µm: 1 };

export function parseIiifInfo(json: unknown, url: string): IiifInfo {
  const info = (json ?? {}) as Record<string, unknown>;
  const context = JSON.stringify(info['@context'] ?? '');
  const version: 2 | 3 = context.includes('/image/3') || info.type === 'ImageService3' ? 3 : 2;
  const id = String(info.id ?? info['@id'] ?? url.replace(/\/info\.json(\?.*)?$/, '')).replace(/\/$/, '');
  const width = Number(info.width);
  const height = Number(info.height);
  if (!(width >= 1 && height >= 1 && width <= 1e6 && height <= 1e6)) throw new SlideError(`${url} is not a IIIF image description (no sane width and height).`);
  const tiles = Array.isArray(info.tiles) ? (info.tiles[0] as Record<string, unknown> | undefined) : undefined;
  const tileWidth = Number(tiles?.width ?? 512);
  const tileHeight = Number(tiles?.height ?? tileWidth);
  const factors = Array.isArray(tiles?.scaleFactors) ? (tiles.scaleFactors as unknown[]).map(Number).filter((f) => f >= 1 && Number.isInteger(f)) : [];
  const scaleFactors = factors.length > 0 ? [...new Set(factors)].sort((a, b) => a - b) : [1];
  if (!(tileWidth >= 16 && tileWidth <= 8192 && tileHeight >= 16 && tileHeight <= 8192)) throw new SlideError(`${url} gives an unusable IIIF tile size.`);
  const services = ([] as unknown[]).concat(info.service ?? []) as Record<string, unknown>[];
  const physdim = services.find((s) => String(s.profile ?? '').includes('physdim'));
  const micronsPerUnit = physdim ? UNIT_MICRONS[String(physdim.physicalUnits)] : undefined;
  const mpp = physdim && micronsPerUnit ? plausibleMpp(Number(physdim.physicalScale) * micronsPerUnit) : null;
  // Formats a server names: v3 preferredFormats/extraFormats, v2 the objects in `profile`. jpg is every
  // server's default, so it wins when listed or when nothing is.
  const profiles = ([] as unknown[]).concat(info.profile ?? []).filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null);
  const formats = ([] as unknown[])
    .concat(info.preferredFormats ?? [], info.extraFormats ?? [], ...profiles.map((p) => p.formats ?? []))
    .map(String)
    .filter((f) => /^(jpg|png|webp)$/.test(f));
  const format = formats.length === 0 || formats.includes('jpg') ? 'jpg' : formats[0]!;
  return { id, version, width, height, tileWidth, tileHeight, scaleFactors, format, mpp };
}

/** URL of tile (col, row) at scale factor `sf` (region in full-resolution pixels, size in output pixels). */
export function iiifTileUrl(info: IiifInfo, sf: number, col: number, row: number): string {
  const x = col * info.tileWidth * sf;
  const y = row * info.tileHeight * sf;
  const w = Math.min(info.tileWidth * sf, info.width - x);
  const h = Math.min(info.tileHeight * sf, info.height - y);
  const outW = Math.ceil(w / sf);
  const outH = Math.ceil(h / sf);
  const size = info.version === 3 ? `${outW},${outH}` : `${outW},`;
  return `${info.id}/${x},${y},${w},${h}/${size}/0/default.${info.format}`;
}
