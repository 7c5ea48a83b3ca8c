/**
 * Writes tiled pyramidal TIFF files (classic, little-endian) from already-compressed tiles: the demo slide,
 * benchmark slides and test fixtures. Tiles stream to a sink as they are made; the IFDs go at the end, so a
 * slide larger than memory can be written. Pure: the sink decides where bytes go (a file, an array).
 */

export interface ByteSink {
  /** Appends bytes; returns the offset they were written at. */
  write(bytes: Uint8Array): number;
}

export interface PageSpec {
  width: number;
  height: number;
  /** Tiled pages give tile sizes; strip pages (label, thumbnail) give rowsPerStrip = height. */
  tileWidth?: number;
  tileHeight?: number;
  compression: number;
  photometric: number;
  samplesPerPixel: number;
  description?: string;
  newSubfileType?: number;
  jpegTables?: Uint8Array;
  /** Pixels per centimetre. */
  resolutionPerCm?: number;
  predictor?: number;
  bitsPerSample?: 8 | 16;
  /** 2 = one tile per sample ("separate planes"): all tiles of sample 0, then sample 1, ... */
  planar?: 1 | 2;
  /** YCbCrSubSampling for JPEG tiles stored as YCbCr, e.g. [2, 2]. */
  ycbcrSubsampling?: [number, number];
}

export class MemorySink implements ByteSink {
  private chunks: Uint8Array[] = [];
  private length = 0;
  write(bytes: Uint8Array): number {
    const at = this.length;
    this.chunks.push(bytes.slice());
    this.length += bytes.length;
    return at;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

interface PageState {
  spec: PageSpec;
  /** Index of the page whose SubIFDs list this one (OME-TIFF pyramid levels); main chain when absent. */
  parent?: number;
  subIfdOffsets: number[];
  offsets: number[];
  byteCounts: number[];
}

export class TiffWriter {
  private readonly pages: PageState[] = [];
  private position = 0;

  private readonly le: boolean;

  /** Little-endian ("II") unless asked for big-endian ("MM"), which some scanners and converters write. */
  constructor(
    private readonly sink: ByteSink,
    options: { bigEndian?: boolean } = {},
  ) {
    this.le = !options.bigEndian;
    // Header: "II", 42, and the first IFD's offset, which is only known at the end: finish() returns it for
    // the caller to patch into bytes 4..7 (patchFirstIfd, or a positioned file write).
    this.put(Uint8Array.from(this.le ? [0x49, 0x49, 42, 0, 0, 0, 0, 0] : [0x4d, 0x4d, 0, 42, 0, 0, 0, 0]));
  }

  private put(bytes: Uint8Array): number {
    const at = this.sink.write(bytes);
    this.position = at + bytes.length;
    return at;
  }

  /** A page in the main chain, or (with `parent`) a reduced level listed in that page's SubIFDs. */
  addPage(spec: PageSpec, parent?: number): number {
    this.pages.push({ spec, parent, subIfdOffsets: [], offsets: [], byteCounts: [] });
    return this.pages.length - 1;
  }

  /** A tile (row-major index; appended when omitted) or strip; every index must be given once. */
  addTile(page: number, compressed: Uint8Array, index?: number): void {
    const state = this.pages[page]!;
    if (this.position % 2 === 1) this.put(new Uint8Array(1)); // word alignment, as the spec recommends
    const i = index ?? state.offsets.length;
    state.offsets[i] = this.put(compressed);
    state.byteCounts[i] = compressed.length;
  }

  /** Writes every IFD; returns the offset of the first, which the caller must patch into bytes 4..7. */
  finish(): number {
    // SubIFDs first (each ends its own chain), so their parents can list where they are.
    for (const page of this.pages) {
      if (page.parent === undefined) continue;
      const ifd = this.buildIfd(page);
      if (this.position % 2 === 1) this.put(new Uint8Array(1));
      this.pages[page.parent]!.subIfdOffsets.push(this.put(ifd));
    }
    // Then main pages: all out-of-line values, then the IFDs back to back, so each "next" pointer is known.
    const built = this.pages.filter((page) => page.parent === undefined).map((page) => this.buildIfd(page));
    if (this.position % 2 === 1) this.put(new Uint8Array(1));
    let at = this.position;
    const first = at;
    built.forEach((ifd, i) => {
      const next = i === built.length - 1 ? 0 : at + ifd.length;
      new DataView(ifd.buffer).setUint32(ifd.length - 4, next, this.le);
      this.put(ifd);
      at += ifd.length;
    });
    return first;
  }

  private buildIfd(state: PageState): Uint8Array {
    const { spec } = state;
    type Entry = { tag: number; type: number; values: number[] | Uint8Array };
    const entries: Entry[] = [];
    const tiled = spec.tileWidth !== undefined;
    entries.push({ tag: 254, type: 4, values: [spec.newSubfileType ?? 0] });
    entries.push({ tag: 256, type: 4, values: [spec.width] });
    entries.push({ tag: 257, type: 4, values: [spec.height] });
    entries.push({ tag: 258, type: 3, values: Array(spec.samplesPerPixel).fill(spec.bitsPerSample ?? 8) });
    entries.push({ tag: 259, type: 3, values: [spec.compression] });
    entries.push({ tag: 262, type: 3, values: [spec.photometric] });
    if (spec.description !== undefined) entries.push({ tag: 270, type: 2, values: new TextEncoder().encode(`${spec.description}\0`) });
    if (!tiled) entries.push({ tag: 273, type: 4, values: state.offsets });
    entries.push({ tag: 277, type: 3, values: [spec.samplesPerPixel] });
    if (!tiled) {
      entries.push({ tag: 278, type: 4, values: [spec.height] });
      entries.push({ tag: 279, type: 4, values: state.byteCounts });
    }
    if (spec.resolutionPerCm !== undefined) {
      const r = Math.round(spec.resolutionPerCm * 1000);
      entries.push({ tag: 282, type: 5, values: [r, 1000] });
      entries.push({ tag: 283, type: 5, values: [r, 1000] });
    }
    entries.push({ tag: 284, type: 3, values: [spec.planar ?? 1] });
    if (spec.resolutionPerCm !== undefined) entries.push({ tag: 296, type: 3, values: [3] });
    if (spec.predictor !== undefined) entries.push({ tag: 317, type: 3, values: [spec.predictor] });
    if (tiled) {
      entries.push({ tag: 322, type: 4, values: [spec.tileWidth!] });
      entries.push({ tag: 323, type: 4, values: [spec.tileHeight!] });
      entries.push({ tag: 324, type: 4, values: state.offsets });
      entries.push({ tag: 325, type: 4, values: state.byteCounts });
    }
    if (state.subIfdOffsets.length > 0) entries.push({ tag: 330, type: 4, values: state.subIfdOffsets });
    if (spec.ycbcrSubsampling) entries.push({ tag: 530, type: 3, values: [...spec.ycbcrSubsampling] });
    if (spec.jpegTables) entries.push({ tag: 347, type: 7, values: spec.jpegTables });
    entries.sort((a, b) => a.tag - b.tag);

    const size = (e: Entry) => (e.values instanceof Uint8Array ? e.values.length : e.values.length * (e.type === 3 ? 2 : e.type === 5 ? 4 : 4));
    const count = (e: Entry) => (e.type === 5 ? (e.values as number[]).length / 2 : e.values.length);
    if (this.position % 2 === 1) this.put(new Uint8Array(1));
    // Out-of-line values first, then the IFD that points at them.
    const valueOffsets = new Map<Entry, number>();
    for (const e of entries) {
      if (size(e) > 4) valueOffsets.set(e, this.put(encodeValues(e.type, e.values, this.le)));
      if (this.position % 2 === 1) this.put(new Uint8Array(1));
    }
    const ifd = new Uint8Array(2 + entries.length * 12 + 4);
    const view = new DataView(ifd.buffer);
    view.setUint16(0, entries.length, this.le);
    entries.forEach((e, i) => {
      const at = 2 + i * 12;
      view.setUint16(at, e.tag, this.le);
      view.setUint16(at + 2, e.type, this.le);
      view.setUint32(at + 4, count(e), this.le);
      const out = valueOffsets.get(e);
      if (out !== undefined) view.setUint32(at + 8, out, this.le);
      else ifd.set(encodeValues(e.type, e.values, this.le), at + 8);
    });
    return ifd;
  }
}

function encodeValues(type: number, values: number[] | Uint8Array, le: boolean): Uint8Array {
  if (values instanceof Uint8Array) return values;
  const width = type === 3 ? 2 : 4;
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => (width === 2 ? view.setUint16(i * 2, v, le) : view.setUint32(i * 4, v, le)));
  return out;
}

/** Sets the header's first-IFD offset in a finished in-memory file. */
export function patchFirstIfd(bytes: Uint8Array, firstIfd: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(4, firstIfd, bytes[0] === 0x49);
}
