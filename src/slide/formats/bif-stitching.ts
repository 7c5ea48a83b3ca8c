/**
 * Ventana / Roche BIF stitching (iScan, DP 200): where the camera tiles go. The level-0 page's XMP is an
 * <EncodeInfo> whose SlideStitchInfo/ImageInfo elements describe each area of interest (AOIScanned, Width/Height =
 * the TIFF tile size, NumCols/NumRows, Pos-X/Pos-Y) with TileJointInfo children (Tile1, Tile2, Direction RIGHT/UP,
 * OverlapX/OverlapY, Confidence, FlagJoined), and AoiOrigin's i-th child gives area i's first TIFF tile
 * (OriginX/OriginY in level-0 pixels). The TIFF tiles are the camera tiles side by side, overlaps included.
 *
 * Placed as OpenSlide 4 places them (src/openslide-vendor-ventana.c, read for the facts):
 * - one advance for the whole slide: tile size minus the Confidence-weighted mean OverlapX of the RIGHT joints (x)
 *   and OverlapY of the UP joints (y), over all areas; FlagJoined and a RIGHT joint's OverlapY are not used;
 * - joint tile numbers count from 1 at the area's bottom-left, rows from the bottom, every 2nd row right to left;
 *   a joint must join neighbours in its direction (RIGHT: tile 2 right of tile 1; UP: tile 2 above tile 1);
 * - area i's camera tile (c, r) goes to (Pos-X + c * advance, y_i + r * advance), where Pos-Y is the distance from
 *   the area's bottom to below all areas (y_i = top - Pos-Y - height_i, height_i = (rows - 1) * advance + tile);
 * - every level uses that placement divided by its downsample (level-0 magnification / the level's): a level's
 *   TIFF tile holds downsample x downsample reduced camera tiles; the level is as large as what is placed;
 * - where camera tiles overlap, the one later in the grid (lower, then further right) is shown.
 * A position between pixels is drawn as cairo draws it for OpenSlide (tile-placement.ts: bilinear with pixman's
 * 7-bit weights, SATURATE from the last tile back); measured within mean |diff| 0.21 (max 2) of OpenSlide.
 */
import { SlideError } from '../slide-source';
import type { LevelPlacement, PlacedPiece } from '../tile-placement';

export interface BifArea {
  /** Level-0 position of the area's top-left camera tile (after the Pos-Y flip). */
  x: number;
  y: number;
  /** The area's first TIFF tile. */
  startColumn: number;
  startRow: number;
  columns: number;
  rows: number;
}

export interface BifStitching {
  tileWidth: number;
  tileHeight: number;
  advanceX: number;
  advanceY: number;
  areas: BifArea[];
}

/** Largest |position| accepted, in level-0 pixels (levels are at most 10^6 px a side). */
const MAX_POSITION = 1_000_000;

function attributesOf(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const match of tag.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) out.set(match[1]!, match[2]!);
  return out;
}

/** Start tags named `name` (and, when not self-closing, the text up to their end tag) within `xml`. */
function elements(xml: string, name: string): { attributes: Map<string, string>; body: string }[] {
  const out: { attributes: Map<string, string>; body: string }[] = [];
  const open = new RegExp(`<${name}(?=[\\s/>])([^>]*)>`, 'g');
  let match: RegExpExecArray | null;
  while ((match = open.exec(xml))) {
    const selfClosing = match[1]!.endsWith('/');
    let body = '';
    if (!selfClosing) {
      const end = xml.indexOf(`</${name}>`, open.lastIndex);
      body = xml.slice(open.lastIndex, end === -1 ? xml.length : end);
      if (end !== -1) open.lastIndex = end;
    }
    out.push({ attributes: attributesOf(match[1]!), body });
  }
  return out;
}

/** The attribute text of each child element of `xml` (elements nested deeper are not children), in order. */
function childTags(xml: string): string[] {
  const out: string[] = [];
  let depth = 0;
  for (const match of xml.matchAll(/<(\/?)[A-Za-z_][\w.:-]*([^>]*)>/g)) {
    if (match[1]) {
      depth = Math.max(0, depth - 1);
      continue;
    }
    const selfClosing = match[2]!.endsWith('/');
    if (depth === 0) out.push(match[2]!);
    if (!selfClosing) depth++;
  }
  return out;
}

/** The text between <name ...> and </name>, or null. */
function section(xml: string, name: string): string | null {
  const start = new RegExp(`<${name}(?=[\\s>])[^>]*>`).exec(xml);
  if (!start) return null;
  const from = start.index + start[0].length;
  const end = xml.indexOf(`</${name}>`, from);
  return end === -1 ? null : xml.slice(from, end);
}

/** Whether the level-0 XMP carries stitching information (an EncodeInfo element). */
export function hasBifStitching(xmp: string | undefined): xmp is string {
  return /<EncodeInfo[\s>]/.test(xmp ?? '');
}

/**
 * Reads the stitching information of the level-0 page; `level0` is its tile grid. Throws a SlideError naming
 * Ventana BIF and the problem when the information is missing, inconsistent or outside the image.
 */
export function parseBifStitching(
  xmp: string,
  slideName: string,
  level0: { blockWidth: number; blockHeight: number; columns: number; rows: number },
): BifStitching {
  const refuse = (what: string): never => {
    throw new SlideError(
      `${slideName} is a Ventana BIF slide whose camera tiles overlap, but its stitching information (EncodeInfo in the level-0 XMP) ${what}; PathoLens cannot place the tiles, so it does not show the slide.`,
    );
  };
  const int = (attributes: Map<string, string>, name: string, where: string): number => {
    const text = attributes.get(name)?.trim();
    if (text === undefined || !/^[+-]?\d{1,15}$/.test(text)) refuse(`has no whole-number ${name} in ${where}`);
    return Number(text);
  };
  const real = (attributes: Map<string, string>, name: string, where: string): number => {
    const text = attributes.get(name)?.trim() ?? '';
    const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(value)) refuse(`has no number ${name} in ${where}`);
    return value;
  };
  const tileWidth = level0.blockWidth;
  const tileHeight = level0.blockHeight;
  const stitch = section(xmp, 'SlideStitchInfo');
  const origins = section(xmp, 'AoiOrigin');
  const infos = stitch === null ? [] : elements(stitch, 'ImageInfo');
  const originTags = origins === null ? [] : childTags(origins);
  if (infos.length === 0 || infos.length !== originTags.length) refuse('lists its areas inconsistently (SlideStitchInfo/ImageInfo and AoiOrigin differ)');

  interface Joint {
    offset: number;
    confidence: number;
    vertical: boolean;
  }
  const areas: (BifArea & { posX: number; posY: number })[] = [];
  const joints: Joint[] = [];
  infos.forEach(({ attributes: info, body }, i) => {
    const where = `area ${i}`;
    if (int(info, 'AOIScanned', where) === 0) return;
    const origin = attributesOf(originTags[i]!);
    const originX = int(origin, 'OriginX', `AoiOrigin of ${where}`);
    const originY = int(origin, 'OriginY', `AoiOrigin of ${where}`);
    const width = int(info, 'Width', where);
    const height = int(info, 'Height', where);
    if (width !== tileWidth || height !== tileHeight)
      refuse(`gives ${where} tiles of ${width} x ${height} px while the level-0 tiles are ${tileWidth} x ${tileHeight}`);
    if (originX < 0 || originY < 0 || originX % tileWidth !== 0 || originY % tileHeight !== 0)
      refuse(`places ${where} at ${originX}, ${originY}, not on a tile`);
    const columns = int(info, 'NumCols', where);
    const rows = int(info, 'NumRows', where);
    const startColumn = originX / tileWidth;
    const startRow = originY / tileHeight;
    if (columns < 1 || rows < 1 || startColumn + columns > level0.columns || startRow + rows > level0.rows) {
      refuse(
        `gives ${where} ${columns} x ${rows} tiles from tile (${startColumn}, ${startRow}), which the level-0 image (${level0.columns} x ${level0.rows} tiles) does not hold`,
      );
    }
    const posX = Math.trunc(real(info, 'Pos-X', where));
    const posY = Math.trunc(real(info, 'Pos-Y', where));
    if (Math.abs(posX) > MAX_POSITION || Math.abs(posY) > MAX_POSITION) refuse(`places ${where} at ${posX}, ${posY}, outside any slide`);
    areas.push({ x: posX, y: 0, posX, posY, startColumn, startRow, columns, rows });

    // Joint tile numbers: 1-based from the bottom-left, serpentine; rows counted from the top here.
    const count = columns * rows;
    const tileAt = (attributes: Map<string, string>, name: string): [number, number] => {
      const tile = int(attributes, name, `a tile joint of ${where}`);
      if (tile < 1 || tile > count) refuse(`names tile ${tile} in ${where}, which has ${count}`);
      const n = tile - 1;
      const fromBottom = Math.floor(n / columns);
      const column = fromBottom % 2 === 1 ? columns - 1 - (n % columns) : n % columns;
      return [column, rows - 1 - fromBottom];
    };
    for (const { attributes: joint } of elements(body, 'TileJointInfo')) {
      const [c1, r1] = tileAt(joint, 'Tile1');
      const [c2, r2] = tileAt(joint, 'Tile2');
      const direction = joint.get('Direction');
      let vertical: boolean;
      if (direction === 'RIGHT') {
        vertical = false;
        if (!(c2 === c1 + 1 && r2 === r1)) refuse(`joins tiles (${c1}, ${r1}) and (${c2}, ${r2}) of ${where} to the RIGHT, which are not neighbours that way`);
      } else if (direction === 'UP') {
        vertical = true;
        if (!(c2 === c1 && r2 === r1 - 1)) refuse(`joins tiles (${c1}, ${r1}) and (${c2}, ${r2}) of ${where} UP, which are not neighbours that way`);
      } else {
        return refuse(`has a tile joint of direction "${(direction ?? '').slice(0, 20)}" (not RIGHT or UP) in ${where}`);
      }
      const overlapX = real(joint, 'OverlapX', `a tile joint of ${where}`);
      const overlapY = real(joint, 'OverlapY', `a tile joint of ${where}`);
      const confidence = int(joint, 'Confidence', `a tile joint of ${where}`);
      if (confidence < 0) refuse(`gives a tile joint of ${where} a negative Confidence`);
      joints.push({ offset: vertical ? overlapY : overlapX, confidence, vertical });
    }
  });
  if (areas.length === 0) refuse('lists no scanned area');

  const meanOverlap = (vertical: boolean, needed: boolean, size: number): number => {
    let total = 0;
    let weight = 0;
    for (const joint of joints) {
      if (joint.vertical !== vertical) continue;
      total += joint.confidence * joint.offset;
      weight += joint.confidence;
    }
    if (weight === 0) {
      if (needed) refuse(`gives no weighted ${vertical ? 'UP' : 'RIGHT'} joint for areas more than one tile ${vertical ? 'tall' : 'wide'}`);
      return 0;
    }
    const mean = total / weight;
    if (!(Math.abs(mean) < size / 2))
      refuse(`gives ${vertical ? 'vertical' : 'horizontal'} overlaps of ${mean.toFixed(1)} px on average, which tiles of ${size} px cannot have`);
    return mean;
  };
  const advanceX =
    tileWidth -
    meanOverlap(
      false,
      areas.some((a) => a.columns > 1),
      tileWidth,
    );
  const advanceY =
    tileHeight -
    meanOverlap(
      true,
      areas.some((a) => a.rows > 1),
      tileHeight,
    );

  // Pos-Y is measured upwards from below all areas: turn it into a top-down position.
  const heights = areas.map((area) => Math.trunc((area.rows - 1) * advanceY + tileHeight));
  const top = Math.max(...areas.map((area, i) => area.posY + heights[i]!));
  for (const [i, area] of areas.entries()) area.y = top - area.posY - heights[i]!;
  return {
    tileWidth,
    tileHeight,
    advanceX,
    advanceY,
    areas: areas.map(({ x, y, startColumn, startRow, columns, rows }) => ({ x, y, startColumn, startRow, columns, rows })),
  };
}

/** Whether the placement puts every camera tile where the TIFF grid has it (no overlaps, areas where their tiles are). */
export function isPlainGrid(stitching: BifStitching): boolean {
  const { tileWidth, tileHeight } = stitching;
  return (
    stitching.advanceX === tileWidth &&
    stitching.advanceY === tileHeight &&
    stitching.areas.every((area) => area.x === area.startColumn * tileWidth && area.y === area.startRow * tileHeight)
  );
}

/**
 * One level's placement: each camera tile's reduced copy (a `downsample`-th of a TIFF tile of this level's page)
 * at its position divided by `downsample`, in OpenSlide's order (the later covers the earlier). `page` is the
 * level's tile grid; its tiles must be the size of level 0's.
 */
export function placeBifLevel(stitching: BifStitching, downsample: number, page: { columns: number; rows: number }): LevelPlacement {
  const { tileWidth, tileHeight, advanceX, advanceY } = stitching;
  // Camera tiles by grid position; an area listed later replaces an earlier one's tile at the same position.
  const byPosition = new Map<number, { column: number; row: number; x: number; y: number }>();
  const stride = Math.max(...stitching.areas.map((a) => a.startColumn + a.columns)) + 1;
  for (const area of stitching.areas) {
    for (let r = 0; r < area.rows; r++) {
      for (let c = 0; c < area.columns; c++) {
        const column = area.startColumn + c;
        const row = area.startRow + r;
        byPosition.set(row * stride + column, { column, row, x: area.x + c * advanceX, y: area.y + r * advanceY });
      }
    }
  }
  const perTile = downsample; // camera tiles per TIFF tile side at this level
  const subWidth = tileWidth / perTile;
  const subHeight = tileHeight / perTile;
  const pieces: PlacedPiece[] = [];
  let right = -Infinity;
  let bottom = -Infinity;
  for (const key of [...byPosition.keys()].sort((a, b) => a - b)) {
    const tile = byPosition.get(key)!;
    const x = tile.x / downsample;
    const y = tile.y / downsample;
    right = Math.max(right, x + subWidth);
    bottom = Math.max(bottom, y + subHeight);
    const column = Math.floor(tile.column / perTile);
    const row = Math.floor(tile.row / perTile);
    if (column >= page.columns || row >= page.rows) continue; // not in this level's page: nothing to show
    const i = tile.column % perTile;
    const j = tile.row % perTile;
    const srcX = Math.round(i * subWidth);
    const srcY = Math.round(j * subHeight);
    const dstX = Math.round(x);
    const dstY = Math.round(y);
    // Between pixels the whole sub-tile is drawn (interpolated); on whole pixels, no further than its end.
    const between = x !== dstX || y !== dstY;
    const width = Math.round((i + 1) * subWidth) - srcX - (between ? 0 : Math.max(0, dstX + Math.round((i + 1) * subWidth) - srcX - Math.round(x + subWidth)));
    const height =
      Math.round((j + 1) * subHeight) - srcY - (between ? 0 : Math.max(0, dstY + Math.round((j + 1) * subHeight) - srcY - Math.round(y + subHeight)));
    if (width > 0 && height > 0) pieces.push({ column, row, srcX, srcY, width, height, x: dstX, y: dstY, ...(between ? { exactX: x, exactY: y } : {}) });
  }
  return { width: Math.max(1, Math.ceil(right)), height: Math.max(1, Math.ceil(bottom)), pieces };
}
