/**
 * Turning a TIFF JPEG tile into a stand-alone JPEG file a browser decoder accepts: the shared JPEGTables
 * (quantisation and Huffman tables, stored once per page) go in front of the tile, and RGB tiles get an Adobe
 * APP14 marker saying "no colour transform". Without it, a JPEG whose components are numbered 0,1,2 with no
 * JFIF/Adobe marker is taken for YCbCr and its colours come out wrong (measured on small.svs: mean error 47.6
 * levels without the marker, 0.07 with it; see SLIDE-NOTES.md).
 */

const SOI = [0xff, 0xd8];
/** APP14 "Adobe", version 100, flags 0, transform 0 (components are stored as they are: RGB). */
export const ADOBE_APP14_NO_TRANSFORM = Uint8Array.from([0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00]);

function startsWithSoi(bytes: Uint8Array): boolean {
  return bytes[0] === SOI[0] && bytes[1] === SOI[1];
}

function endsWithEoi(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
}

/**
 * tables (SOI ... EOI) + tile (SOI ... EOI) -> SOI [APP14] tables-body tile-body EOI.
 * `rgb` is true when the TIFF says the JPEG holds RGB (PhotometricInterpretation 2).
 */
export function buildTileJpeg(tile: Uint8Array, tables: Uint8Array | null, rgb: boolean): Uint8Array {
  const tileBody = startsWithSoi(tile) ? tile.subarray(2) : tile;
  let tablesBody = tables && tables.length > 4 ? tables : null;
  if (tablesBody) {
    tablesBody = startsWithSoi(tablesBody) ? tablesBody.subarray(2) : tablesBody;
    tablesBody = endsWithEoi(tablesBody) ? tablesBody.subarray(0, tablesBody.length - 2) : tablesBody;
  }
  // A complete JPEG already (no shared tables, YCbCr): decode the bytes as they are, no copy.
  if (!tablesBody && !rgb && startsWithSoi(tile)) return tile;
  const app14 = rgb ? ADOBE_APP14_NO_TRANSFORM : new Uint8Array(0);
  const out = new Uint8Array(2 + app14.length + (tablesBody?.length ?? 0) + tileBody.length);
  out.set(SOI, 0);
  out.set(app14, 2);
  let at = 2 + app14.length;
  if (tablesBody) {
    out.set(tablesBody, at);
    at += tablesBody.length;
  }
  out.set(tileBody, at);
  return out;
}

/** Width and height from a JPEG's SOF marker, without decoding (null when the stream has none). */
export function jpegDimensions(bytes: Uint8Array): { width: number; height: number } | null {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) {
      at++;
      continue;
    }
    const marker = bytes[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[at + 5]! << 8) | bytes[at + 6]!, width: (bytes[at + 7]! << 8) | bytes[at + 8]! };
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0xff) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return null;
}
