/**
 * 3DHistech MIRAX Index.dat and the placement of camera images (pure: bytes in, plans out).
 *
 * Index.dat: "01.02" and the SLIDE_ID, then a pointer to the hierarchical record table (one record per zoom level:
 * a list head [0, first page], pages [count, next, (image index, offset, length, data file) x count] one after
 * another until a page whose "next" is 0) and one to the nonhierarchical table (one record each: [0, page], page
 * [count, next, 0, 0, offset, length, data file]). Every pointer and count is checked against the file.
 *
 * Placement, as OpenSlide draws MIRAX: a camera photo at a recorded stage position is cut into d x d images
 * (d = CameraImageDivisionsPerSide); level k joins 2^k x 2^k level-0 images (halved k times) edge to edge into
 * one image, so once an image spans several photos it is cut into one part per photo and each part is put at its
 * photo's position / 2^k. Parts overlap (the photos overlap); where they do, the part later in the tile grid
 * (larger row, then column) is on top: OpenSlide paints the grid from the bottom-right with cairo's SATURATE
 * operator, so the first part painted over a pixel keeps it. Only photos that have level-0 images are drawn at any level.
 */
import { SlideError } from '../slide-source';
import type { Slidedat } from './slidedat';

export const INDEX_VERSION = '01.02';
/** Parts one level may have (duplicated index entries included): far above any scanner's slide. */
const MAX_PARTS_PER_LEVEL = 8_000_000;
const POSITION_RECORD_BYTES = 9;

export interface IndexRecord {
  offset: number;
  length: number;
  file: number;
}

export interface HierEntry extends IndexRecord {
  imageIndex: number;
}

export interface MiraxIndex {
  /** Per zoom level, its images in the order Index.dat lists them. */
  levels: HierEntry[][];
  /** Reads nonhierarchical record `n` (stage positions, associated images). */
  nonhier(record: number): IndexRecord;
}

function indexError(name: string, what: string): SlideError {
  return new SlideError(`${name} is a 3DHistech MRXS slide whose Index.dat ${what}; the slide's folder is damaged.`);
}

export function parseIndex(name: string, bytes: Uint8Array, slidedat: Slidedat): MiraxIndex {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const i32 = (at: number, what: string) => {
    if (!(at >= 0 && at + 4 <= bytes.length)) throw indexError(name, `points past its end (${what})`);
    return view.getInt32(at, true);
  };
  const header = new TextEncoder().encode(INDEX_VERSION + slidedat.slideId);
  if (bytes.length < header.length || header.some((byte, i) => bytes[i] !== byte)) {
    throw indexError(name, `does not start with version ${INDEX_VERSION} and the slide's SLIDE_ID from Slidedat.ini`);
  }
  const hierRoot = header.length;
  const nonhierRoot = hierRoot + 4;

  const levels: HierEntry[][] = [];
  const table = i32(hierRoot, 'hierarchical root');
  for (let k = 0; k < slidedat.levels.length; k++) {
    const head = i32(table + 4 * k, `zoom level ${k} record`);
    if (i32(head, `zoom level ${k} list`) !== 0) throw indexError(name, `has a zoom level ${k} list that does not start with 0`);
    let at = i32(head + 4, `zoom level ${k} first page`);
    const entries: HierEntry[] = [];
    let next: number;
    do {
      const count = i32(at, `zoom level ${k} page`);
      next = i32(at + 4, `zoom level ${k} page`);
      // The pages of a list follow each other (OpenSlide reads them in sequence, not by their "next" pointer).
      if (count < 0 || at + 8 + 16 * count > bytes.length) throw indexError(name, `has a zoom level ${k} page of ${count} images that runs past its end`);
      for (let i = 0; i < count; i++) {
        const p = at + 8 + 16 * i;
        const entry = { imageIndex: i32(p, 'image'), offset: i32(p + 4, 'image'), length: i32(p + 8, 'image'), file: i32(p + 12, 'image') };
        if (entry.imageIndex < 0 || entry.offset < 0 || entry.length < 0 || entry.file < 0 || entry.file >= slidedat.dataFiles.length) {
          throw indexError(name, `lists an image of zoom level ${k} with a negative position or an unknown data file (${entry.file})`);
        }
        entries.push(entry);
      }
      at += 8 + 16 * count;
    } while (next !== 0);
    levels.push(entries);
  }

  const nonhier = (record: number): IndexRecord => {
    const tableAt = i32(nonhierRoot, 'nonhierarchical root');
    const head = i32(tableAt + 4 * record, `nonhierarchical record ${record}`);
    if (i32(head, `record ${record}`) !== 0) throw indexError(name, `has a nonhierarchical record ${record} that does not start with 0`);
    const page = i32(head + 4, `record ${record} page`);
    if (i32(page, `record ${record} page`) < 1) throw indexError(name, `has an empty nonhierarchical record ${record}`);
    if (i32(page + 8, `record ${record}`) !== 0 || i32(page + 12, `record ${record}`) !== 0) {
      throw indexError(name, `has a nonhierarchical record ${record} whose page is not laid out as MIRAX writes it`);
    }
    const found = { offset: i32(page + 16, `record ${record}`), length: i32(page + 20, `record ${record}`), file: i32(page + 24, `record ${record}`) };
    if (found.offset < 0 || found.length < 0 || found.file < 0 || found.file >= slidedat.dataFiles.length) {
      throw indexError(name, `has a nonhierarchical record ${record} with a negative position or an unknown data file (${found.file})`);
    }
    return found;
  };
  return { levels, nonhier };
}

/** Decoded stage-position records (9 bytes each: flag, x, y), in level-0 pixels: x0, y0, x1, y1, ... */
export function parsePositions(name: string, bytes: Uint8Array, count: number, concat0: number): Float64Array {
  if (bytes.length !== count * POSITION_RECORD_BYTES) {
    throw new SlideError(
      `${name} is a 3DHistech MRXS slide whose stage positions hold ${bytes.length} bytes, not the ${count * POSITION_RECORD_BYTES} its ${count} camera positions need; the slide's folder is damaged.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    const at = i * POSITION_RECORD_BYTES;
    if (bytes[at]! & 0xfe)
      throw new SlideError(`${name} is a 3DHistech MRXS slide whose stage position ${i} has an unknown flag (${bytes[at]}); the slide's folder is damaged.`);
    out[i * 2] = view.getInt32(at + 1, true) * concat0;
    out[i * 2 + 1] = view.getInt32(at + 5, true) * concat0;
  }
  return out;
}

export interface PlacedPart {
  /** Top-left in this level's pixels (rounded: OpenSlide paints sub-pixel positions with cairo's filter). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Where the part lies in its image. */
  srcX: number;
  srcY: number;
  /** The image's place in Index.dat (its data file, offset and length) and a number unique in the slide. */
  image: HierEntry & { key: number };
  /** Tile-grid position: among overlapping parts the largest (row, column) is on top. */
  row: number;
  col: number;
}

export interface LevelPlan {
  width: number;
  height: number;
  downsample: number;
  imageWidth: number;
  imageHeight: number;
  /** In painting order: the last part painted over a pixel is the one shown. */
  parts: PlacedPart[];
}

/** Levels and parts, as OpenSlide's MIRAX driver computes them (see the module comment). */
export function planLevels(name: string, slidedat: Slidedat, index: MiraxIndex, positions: Float64Array | null): LevelPlan[] {
  const { imagesX, imagesY, divisions: d, levels } = slidedat;
  const level0 = levels[0]!;
  const positionsX = Math.floor(imagesX / d);
  const positionCount = positionsX * Math.floor(imagesY / d);
  const concat0 = 2 ** level0.concatExponent;
  let stage = positions;
  if (!stage) {
    // No position record: photos on the nominal grid, each overlapping the one before by the level-0 overlap.
    stage = new Float64Array(positionCount * 2);
    for (let i = 0; i < positionCount; i++) {
      stage[i * 2] = Math.trunc((i % positionsX) * (level0.imageWidth * d - level0.overlapX));
      stage[i * 2 + 1] = Math.trunc(Math.floor(i / positionsX) * (level0.imageHeight * d - level0.overlapY));
    }
  }
  const side = (count: number, size: number, overlap: number) => {
    let total = 0;
    for (let i = 0; i < count; i++) total += i % d !== d - 1 || i === count - 1 ? size : size - overlap;
    return total;
  };
  const baseWidth = side(imagesX, level0.imageWidth, level0.overlapX);
  const baseHeight = side(imagesY, level0.imageHeight, level0.overlapY);
  const subdivide = slidedat.positions !== null || level0.overlapX !== 0 || level0.overlapY !== 0;

  const active = new Set<number>();
  const plans: LevelPlan[] = [];
  let exponent = 0;
  let imageNumber = 0;
  for (const [k, section] of levels.entries()) {
    exponent += section.concatExponent;
    if (exponent > 30) throw new SlideError(`${name} is a 3DHistech MRXS slide whose zoom levels join more images than PathoLens can place (2^${exponent}).`);
    const concat = 2 ** exponent;
    const positionsPerImage = Math.max(1, Math.floor(concat / d));
    const tileCountDivisor = subdivide ? Math.min(concat, d) : concat;
    const tilesPerImage = subdivide ? positionsPerImage : 1;
    const positionsPerTile = subdivide ? 1 : positionsPerImage;
    const tileWidth = section.imageWidth / tilesPerImage;
    const tileHeight = section.imageHeight / tilesPerImage;
    const byCell = new Map<number, PlacedPart>();
    let generated = 0;
    for (const entry of index.levels[k]!) {
      const image = { ...entry, key: imageNumber++ };
      const x = entry.imageIndex % imagesX;
      const y = Math.floor(entry.imageIndex / imagesX);
      if (y >= imagesY || x % concat !== 0 || y % concat !== 0) {
        throw new SlideError(
          `${name} is a 3DHistech MRXS slide whose Index.dat lists image ${entry.imageIndex} at zoom level ${k}, which is not an image of that level (${imagesX} x ${imagesY} camera images, ${concat} joined per side); the slide's folder is damaged.`,
        );
      }
      for (let yi = 0; yi < tilesPerImage; yi++) {
        const yy = y + yi * d;
        if (yy >= imagesY) break;
        for (let xi = 0; xi < tilesPerImage; xi++) {
          const xx = x + xi * d;
          if (xx >= imagesX) break;
          if (++generated > MAX_PARTS_PER_LEVEL)
            throw new SlideError(`${name} is a 3DHistech MRXS slide whose zoom level ${k} has more image parts than PathoLens places.`);
          const xp = Math.floor(xx / d);
          const yp = Math.floor(yy / d);
          const cp = yp * positionsX + xp;
          if (cp >= positionCount) continue; // images past the last whole photo have no stage position
          const stageX = stage[cp * 2]!;
          const stageY = stage[cp * 2 + 1]!;
          if (k === 0) {
            // A photo at (0, 0) other than the first is a position never scanned (see OpenSlide's get_tile_position).
            if (stageX === 0 && stageY === 0 && (xp !== 0 || yp !== 0)) continue;
            active.add(cp);
          } else {
            let any = false;
            for (let ypp = yp; ypp < yp + positionsPerTile && !any; ypp++)
              for (let xpp = xp; xpp < xp + positionsPerTile && !any; xpp++) any = active.has(ypp * positionsX + xpp);
            if (!any) continue;
          }
          const row = Math.floor(y / tileCountDivisor) + yi;
          const col = Math.floor(x / tileCountDivisor) + xi;
          byCell.set(row * 2 ** 22 + col, {
            x: Math.round((stageX + level0.imageWidth * (xx - xp * d)) / concat),
            y: Math.round((stageY + level0.imageHeight * (yy - yp * d)) / concat),
            width: Math.ceil(tileWidth),
            height: Math.ceil(tileHeight),
            srcX: Math.round(tileWidth * xi),
            srcY: Math.round(tileHeight * yi),
            image,
            row,
            col,
          });
        }
      }
    }
    const parts = [...byCell.values()].sort((a, b) => a.row - b.row || a.col - b.col);
    const width = Math.floor(baseWidth / concat);
    const height = Math.floor(baseHeight / concat);
    if (width < 1 || height < 1) break;
    plans.push({ width, height, downsample: Math.floor(concat / concat0), imageWidth: section.imageWidth, imageHeight: section.imageHeight, parts });
  }
  return plans;
}
