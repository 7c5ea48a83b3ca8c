/**
 * The TIFF container: header, the chain of image file directories (IFDs) and SubIFDs, and tag values.
 * Why our own walker and not geotiff.js's parser: geotiff 3 allocates a typed array of the count a header
 * claims before checking the file holds it (a crafted 10^7 x 10^7 header asks for gigabytes), reads deferred
 * arrays as little-endian whatever the byte order, and fetches tile offsets one request each over HTTP.
 * Here every count is checked against the file size before anything is allocated, and every failure is a
 * SlideError sentence. geotiff.js still does the pixel decoding (tile-decoder.ts).
 *
 * Hamamatsu NDPI is classic TIFF with NDPI's own 64-bit extension, which no TIFF library but tifffile's and
 * OpenSlide's own parsers knows (geotiff.js and libtiff read it as classic TIFF, so past 4 GiB every offset wraps):
 * the header's first-IFD offset and each IFD's next-IFD link are 8 bytes, and after each IFD's next link comes a
 * block of 4 bytes per entry holding the high 32 bits of that entry's value/offset field. A LONG or SLONG value
 * stored inline with nonzero high bits is a 64-bit value (StripOffsets, StripByteCounts of a level past 4 GiB);
 * ASCII values are always out of line. Detected as OpenSlide does: the header's 8-byte offset must lead to an IFD,
 * read the NDPI way, that holds tag 65420; anything else is read as classic TIFF. Offsets are combined as
 * low + high * 2^32 (exact in a JS number up to 2^53; no 32-bit bit operations).
 */
import type { ByteSource } from './byte-source';
import { SlideError } from './slide-source';

/** Byte size of each TIFF field type (1..18); 0 = unknown type. */
const TYPE_SIZES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8];

export const MAX_IFDS = 4096;
const MAX_ENTRIES_PER_IFD = 1024;
/** No single tag value we read (a description, an offsets array) may exceed this. */
export const MAX_TAG_BYTES = 64 * 1024 * 1024;

export interface TiffEntry {
  tag: number;
  type: number;
  count: number;
  /** Where the value lies in the file; the value is inline (in `inline`) when small. */
  offset: number;
  inline: Uint8Array | null;
}

export interface TiffIfd {
  /** File offset of the IFD (its identity). */
  offset: number;
  entries: Map<number, TiffEntry>;
  /** IFDs listed in this one's SubIFDs tag (OME-TIFF pyramids). */
  subIfds: TiffIfd[];
}

export interface TiffFile {
  littleEndian: boolean;
  bigTiff: boolean;
  /** Read with Hamamatsu NDPI's 64-bit offset extension (see above). */
  ndpi?: boolean;
  ifds: TiffIfd[];
  source: ByteSource;
}

/** Tag 65420 marks NDPI (OpenSlide's and tifffile's test). */
const NDPI_FORMAT_FLAG = 65420;
const HIGH_WORD = 2 ** 32;

function fail(source: ByteSource, what: string, ndpi = false): never {
  if (ndpi) throw new SlideError(`${source.name} is a Hamamatsu NDPI file whose TIFF structure cannot be read: ${what}.`);
  throw new SlideError(`${source.name} is not a readable TIFF file: ${what}.`);
}

/** True when the bytes start like a TIFF (classic or BigTIFF, either byte order). */
export function looksLikeTiff(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const ii = head[0] === 0x49 && head[1] === 0x49 && (head[2] === 42 || head[2] === 43) && head[3] === 0;
  const mm = head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && (head[3] === 42 || head[3] === 43);
  return ii || mm;
}

class Reader {
  constructor(
    private readonly view: DataView,
    private readonly littleEndian: boolean,
  ) {}
  u16(at: number): number {
    return this.view.getUint16(at, this.littleEndian);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.littleEndian);
  }
  /** 64-bit offsets as numbers; anything past 2^53 is absurd for a file and caught by size checks. */
  u64(at: number): number {
    const value = this.view.getBigUint64(at, this.littleEndian);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export async function parseTiff(source: ByteSource, signal?: AbortSignal): Promise<TiffFile> {
  const head = await source.read(0, 16, signal);
  if (head.length < 8 || !looksLikeTiff(head)) {
    throw new SlideError(`${source.name} is not a TIFF or SVS file (it does not start with a TIFF header).`);
  }
  const littleEndian = head[0] === 0x49;
  const header = new Reader(viewOf(head), littleEndian);
  const bigTiff = header.u16(2) === 43;
  let firstIfd: number;
  if (bigTiff) {
    if (head.length < 16 || header.u16(4) !== 8) fail(source, 'its BigTIFF header is damaged');
    firstIfd = header.u64(8);
  } else {
    firstIfd = header.u32(4);
  }
  let ndpi = false;
  if (!bigTiff && littleEndian && head.length >= 12) {
    const wide = header.u32(4) + header.u32(8) * HIGH_WORD;
    if (await holdsNdpiFlag(source, wide, signal)) {
      ndpi = true;
      firstIfd = wide;
    } else if (header.u32(8) !== 0 && wide >= source.size && /\.ndpi$/i.test(source.name)) {
      // An .ndpi file whose 8-byte header offset lies past its end: cut off (its IFDs come after the image data).
      fail(source, `its first image directory lies at byte ${wide}, past the end of the ${source.size}-byte file (the file is truncated)`, true);
    }
  }

  const seen = new Set<number>();
  const parseIfd = async (offset: number, depth: number): Promise<{ ifd: TiffIfd; next: number }> => {
    if (seen.size >= MAX_IFDS) fail(source, `it has more than ${MAX_IFDS} image directories`, ndpi);
    if (seen.has(offset)) fail(source, 'its image directories form a loop', ndpi);
    seen.add(offset);
    const countSize = bigTiff ? 8 : 2;
    const entrySize = bigTiff ? 20 : 12;
    const countBytes = await source.read(offset, countSize, signal);
    if (countBytes.length < countSize) fail(source, `an image directory at byte ${offset} lies past the end of the file (the file may be truncated)`, ndpi);
    const entryCount = bigTiff ? new Reader(viewOf(countBytes), littleEndian).u64(0) : new Reader(viewOf(countBytes), littleEndian).u16(0);
    if (entryCount === 0 || entryCount > MAX_ENTRIES_PER_IFD) fail(source, `an image directory at byte ${offset} claims ${entryCount} entries`, ndpi);
    // NDPI: 12-byte entries, an 8-byte next link, then the high 32 bits of each entry's value/offset field.
    const linkSize = bigTiff || ndpi ? 8 : 4;
    const tableLength = entryCount * entrySize + linkSize + (ndpi ? 4 * entryCount : 0);
    const table = await source.read(offset + countSize, tableLength, signal);
    if (table.length < tableLength) fail(source, `an image directory at byte ${offset} is cut off (the file may be truncated)`, ndpi);
    const r = new Reader(viewOf(table), littleEndian);
    const highAt = entryCount * entrySize + linkSize;
    const entries = new Map<number, TiffEntry>();
    const inlineSize = bigTiff ? 8 : 4;
    for (let i = 0; i < entryCount; i++) {
      const at = i * entrySize;
      const tag = r.u16(at);
      // A repeated tag: the first counts, as in libtiff (tifffile writes its shape JSON as a second ImageDescription).
      if (entries.has(tag)) continue;
      const type = r.u16(at + 2);
      const count = bigTiff ? r.u64(at + 4) : r.u32(at + 4);
      const typeSize = TYPE_SIZES[type] ?? 0;
      if (typeSize === 0) continue; // unknown field types are skipped, as the TIFF spec asks
      const byteLength = typeSize * count;
      const valueAt = at + (bigTiff ? 12 : 8);
      const high = ndpi ? r.u32(highAt + 4 * i) : 0;
      if (byteLength <= inlineSize && !(ndpi && type === 2)) {
        if (high === 0) {
          entries.set(tag, { tag, type, count, offset: -1, inline: table.slice(valueAt, valueAt + byteLength) });
        } else if ((type === 4 || type === 9) && count === 1) {
          // NDPI: a LONG / SLONG whose high bits follow the IFD is a 64-bit value (LONG8 / SLONG8).
          const wide = new Uint8Array(8);
          wide.set(table.subarray(valueAt, valueAt + 4), 0);
          wide.set(table.subarray(highAt + 4 * i, highAt + 4 * i + 4), 4);
          entries.set(tag, { tag, type: type === 4 ? 16 : 17, count, offset: -1, inline: wide });
        } else {
          fail(source, `tag ${tag} (field type ${type}) has high bits in its NDPI value extension, which no NDPI reader knows how to read`, true);
        }
      } else {
        const valueOffset = bigTiff ? r.u64(valueAt) : r.u32(valueAt) + high * HIGH_WORD;
        // Checked here, before anything is allocated: a value must lie inside the file.
        if (valueOffset + byteLength > source.size) {
          fail(
            source,
            `tag ${tag} claims ${count} values at byte ${valueOffset}, past the end of the ${source.size}-byte file (the file may be truncated or damaged)`,
            ndpi,
          );
        }
        entries.set(tag, { tag, type, count, offset: valueOffset, inline: null });
      }
    }
    const next = bigTiff || ndpi ? r.u64(entryCount * entrySize) : r.u32(entryCount * entrySize);
    const ifd: TiffIfd = { offset, entries, subIfds: [] };
    // SubIFDs (tag 330): OME-TIFF keeps its pyramid there. One level of nesting is all we read.
    const sub = entries.get(330);
    if (sub && depth === 0) {
      for (const subOffset of await readNumbers({ littleEndian, bigTiff, ndpi, ifds: [], source }, sub, signal)) {
        if (subOffset > 0 && subOffset < source.size) ifd.subIfds.push((await parseIfd(subOffset, depth + 1)).ifd);
      }
    }
    return { ifd, next };
  };

  const ifds: TiffIfd[] = [];
  let offset = firstIfd;
  while (offset !== 0) {
    if (offset >= source.size) {
      if (ifds.length === 0) fail(source, 'its first image directory lies past the end of the file (the file may be truncated)', ndpi);
      // NDPI writes each page's IFD after its image: a link past the end is a cut-off file, whose last levels are lost.
      if (ndpi)
        fail(
          source,
          `page ${ifds.length + 1}'s image directory lies at byte ${offset}, past the end of the ${source.size}-byte file (the file is truncated)`,
          true,
        );
      break; // a dangling next pointer after good directories: keep what we have, as libtiff does
    }
    const { ifd, next } = await parseIfd(offset, 0);
    ifds.push(ifd);
    offset = next;
  }
  return { littleEndian, bigTiff, ndpi, ifds, source };
}

/**
 * Whether an IFD read NDPI's way (12-byte entries) at this offset lists tag 65420: OpenSlide's NDPI test. Never
 * throws; a classic TIFF's header offset read as 8 bytes usually points past the file (its next bytes are data).
 */
async function holdsNdpiFlag(source: ByteSource, offset: number, signal?: AbortSignal): Promise<boolean> {
  if (!(offset >= 8 && offset + 2 <= source.size)) return false;
  const countBytes = await source.read(offset, 2, signal);
  if (countBytes.length < 2) return false;
  const count = new Reader(viewOf(countBytes), true).u16(0);
  if (count === 0 || count > MAX_ENTRIES_PER_IFD) return false;
  const table = await source.read(offset + 2, count * 12, signal);
  if (table.length < count * 12) return false;
  const r = new Reader(viewOf(table), true);
  for (let i = 0; i < count; i++) if (r.u16(i * 12) === NDPI_FORMAT_FLAG) return true;
  return false;
}

async function entryBytes(file: TiffFile, entry: TiffEntry, signal?: AbortSignal): Promise<Uint8Array> {
  if (entry.inline) return entry.inline;
  const length = (TYPE_SIZES[entry.type] ?? 0) * entry.count;
  if (length > MAX_TAG_BYTES) fail(file.source, `tag ${entry.tag} holds ${length} bytes, more than a slide ever needs`, file.ndpi);
  const bytes = await file.source.read(entry.offset, length, signal);
  if (bytes.length < length) fail(file.source, `tag ${entry.tag} is cut off (the file may be truncated)`, file.ndpi);
  return bytes;
}

/** Numeric values of an entry (integers, rationals as quotients, floats). */
export async function readNumbers(file: TiffFile, entry: TiffEntry, signal?: AbortSignal): Promise<number[]> {
  const bytes = await entryBytes(file, entry, signal);
  const r = new Reader(viewOf(bytes), file.littleEndian);
  const view = viewOf(bytes);
  const le = file.littleEndian;
  const out = new Array<number>(entry.count);
  for (let i = 0; i < entry.count; i++) {
    switch (entry.type) {
      case 1:
      case 2:
      case 7:
        out[i] = bytes[i] ?? 0;
        break;
      case 6:
        out[i] = view.getInt8(i);
        break;
      case 3:
        out[i] = r.u16(i * 2);
        break;
      case 8:
        out[i] = view.getInt16(i * 2, le);
        break;
      case 4:
      case 13:
        out[i] = r.u32(i * 4);
        break;
      case 9:
        out[i] = view.getInt32(i * 4, le);
        break;
      case 5:
        out[i] = r.u32(i * 8) / r.u32(i * 8 + 4);
        break;
      case 10:
        out[i] = view.getInt32(i * 8, le) / view.getInt32(i * 8 + 4, le);
        break;
      case 11:
        out[i] = view.getFloat32(i * 4, le);
        break;
      case 12:
        out[i] = view.getFloat64(i * 8, le);
        break;
      case 16:
      case 18:
        out[i] = r.u64(i * 8);
        break;
      case 17:
        out[i] = Number(view.getBigInt64(i * 8, le));
        break;
      default:
        out[i] = 0;
    }
  }
  return out;
}

/** Values of a tag, or undefined when the IFD lacks it. */
export async function tagNumbers(file: TiffFile, ifd: TiffIfd, tag: number, signal?: AbortSignal): Promise<number[] | undefined> {
  const entry = ifd.entries.get(tag);
  return entry ? readNumbers(file, entry, signal) : undefined;
}

export async function tagNumber(file: TiffFile, ifd: TiffIfd, tag: number, signal?: AbortSignal): Promise<number | undefined> {
  const entry = ifd.entries.get(tag);
  if (!entry || entry.count < 1) return undefined;
  if (entry.count > 16) return (await readNumbers(file, { ...entry, count: 1, inline: entry.inline?.slice(0, 8) ?? null }, signal))[0];
  return (await readNumbers(file, entry, signal))[0];
}

/** An ASCII tag as text, without trailing NULs (Latin-1 bytes are kept as is; UTF-8 decoded when valid). */
export async function tagText(file: TiffFile, ifd: TiffIfd, tag: number, signal?: AbortSignal): Promise<string | undefined> {
  const entry = ifd.entries.get(tag);
  if (!entry) return undefined;
  const bytes = await entryBytes(file, entry, signal);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const body = bytes.subarray(0, end);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return new TextDecoder('latin1').decode(body);
  }
}

/** Raw bytes of a tag (JPEGTables). */
export async function tagBytes(file: TiffFile, ifd: TiffIfd, tag: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  const entry = ifd.entries.get(tag);
  return entry ? (await entryBytes(file, entry, signal)).slice() : undefined;
}
