/**
 * Deep Zoom (DZI) descriptors and tile addressing, pure. A DZI pyramid halves down to 1x1; level numbers
 * count up from 1x1, so our level 0 (full resolution) is DZI level `maxLevel`.
 */
import { SlideError } from './slide-source';

export interface DziDescriptor {
  width: number;
  height: number;
  tileSize: number;
  overlap: number;
  format: string;
  /** Base URL of the tiles: `${filesUrl}/${level}/${col}_${row}.${format}`. */
  filesUrl: string;
}

function attribute(xml: string, element: string, name: string): string | undefined {
  const tag = new RegExp(`<(?:\\w+:)?${element}\\b([^>]*)>`).exec(xml)?.[1] ?? '';
  return new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`).exec(tag)?.[1];
}

export function parseDzi(xml: string, url: string): DziDescriptor {
  const width = Number(attribute(xml, 'Size', 'Width'));
  const height = Number(attribute(xml, 'Size', 'Height'));
  const tileSize = Number(attribute(xml, 'Image', 'TileSize'));
  const overlap = Number(attribute(xml, 'Image', 'Overlap') ?? 0);
  const format = attribute(xml, 'Image', 'Format') ?? 'jpg';
  if (![width, height, tileSize, overlap].every(Number.isFinite) || width < 1 || height < 1 || tileSize < 1 || width > 1e6 || height > 1e6 || tileSize > 8192) {
    throw new SlideError(`${url} is not a usable Deep Zoom descriptor (it lacks a sane Image TileSize or Size Width/Height).`);
  }
  if (!/^(jpe?g|png|webp)$/i.test(format)) throw new SlideError(`${url} uses ${format} tiles, which PathoLens cannot show.`);
  // example.dzi -> example_files/
  const filesUrl = url.replace(/\.(dzi|xml)(\?.*)?$/i, '_files');
  return { width, height, tileSize, overlap, format, filesUrl };
}

export function dziMaxLevel(d: Pick<DziDescriptor, 'width' | 'height'>): number {
  return Math.ceil(Math.log2(Math.max(d.width, d.height)));
}

/** The pixel box of tile (col, row) in its level, overlap included, and where the tile proper starts in it. */
export function dziTileBox(d: DziDescriptor, col: number, row: number): { left: number; top: number } {
  return { left: col === 0 ? 0 : d.overlap, top: row === 0 ? 0 : d.overlap };
}
