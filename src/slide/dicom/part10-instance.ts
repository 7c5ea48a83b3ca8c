/**
 * One DICOM Part 10 file read from a ByteSource without loading its pixel data: dicom-parser parses the header
 * (a prefix of the file, grown until it holds every attribute before Pixel Data), and the frames are located
 * from the Extended Offset Table, the Basic Offset Table, or by walking the fragment items when both are
 * empty. Frames are then read as byte ranges, like TIFF tiles.
 */
// dicom-parser is a UMD bundle: Node and Vite expose it as a default export only.
import dicomParser, { type DataSet } from 'dicom-parser';
import type { ByteSource } from '../byte-source';
import { SlideError } from '../slide-source';
import { dataSetAttributes, TAG, type DicomAttributes } from './dicom-attributes';
import { isNativeTransferSyntax } from './transfer-syntax';

/** A frame's bytes in the file. */
export interface FrameRange {
  offset: number;
  length: number;
}

export interface Part10Instance {
  source: ByteSource;
  attributes: DicomAttributes;
  transferSyntax: string;
  /** Where each frame's bytes lie (frame i at index i). */
  frames: FrameRange[];
}

/** True when the bytes start like a DICOM Part 10 file (128-byte preamble, then "DICM"). */
export function looksLikeDicom(head: Uint8Array): boolean {
  return head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d;
}

const FIRST_PREFIX = 256 * 1024;
/** The header (with a TILED_SPARSE slide's per-frame positions) is never larger than this. */
const MAX_HEADER_BYTES = 128 * 1024 * 1024;
const MAX_FRAMES = 20_000_000;

interface ParsedHeader {
  dataSet: DataSet;
  /** Offset of Pixel Data's value, and its length (undefined length = encapsulated). */
  pixelOffset: number;
  pixelLength: number;
}

/** Parses everything before Pixel Data, reading a larger prefix of the file until that suffices. */
async function parseHeader(source: ByteSource, signal?: AbortSignal): Promise<ParsedHeader> {
  let prefix = Math.min(source.size, FIRST_PREFIX);
  for (;;) {
    const bytes = await source.read(0, prefix, signal);
    let dataSet: DataSet | undefined;
    try {
      dataSet = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
    } catch (error) {
      // dicom-parser throws { exception, dataSet } when the bytes end inside an element.
      const partial = (error as { dataSet?: DataSet }).dataSet;
      if (prefix >= source.size || prefix >= MAX_HEADER_BYTES || !partial) {
        const why = (error as { exception?: unknown }).exception ?? error;
        throw new SlideError(`${source.name} is not a readable DICOM file (${typeof why === 'string' ? why : (why as Error).message}); the file is damaged.`);
      }
    }
    const pixel = dataSet?.elements.x7fe00010;
    if (dataSet && pixel) return { dataSet, pixelOffset: pixel.dataOffset, pixelLength: pixel.length };
    if (dataSet && prefix >= source.size) throw new SlideError(`${source.name} is a DICOM file without pixel data, not an image.`);
    if (prefix >= MAX_HEADER_BYTES) throw new SlideError(`${source.name} has a DICOM header larger than ${MAX_HEADER_BYTES >> 20} MB; the file is damaged.`);
    prefix = Math.min(source.size, prefix * 4, MAX_HEADER_BYTES);
  }
}

export async function readPart10Instance(source: ByteSource, signal?: AbortSignal): Promise<Part10Instance> {
  const { dataSet, pixelOffset, pixelLength } = await parseHeader(source, signal);
  const attributes = dataSetAttributes(dataSet);
  const transferSyntax = attributes.text(TAG.TransferSyntaxUID) ?? '';
  const frameCount = attributes.number(TAG.NumberOfFrames) ?? 1;
  if (!Number.isInteger(frameCount) || frameCount < 1 || frameCount > MAX_FRAMES) {
    throw new SlideError(`${source.name} claims ${frameCount} frames; the DICOM file is damaged.`);
  }
  const frames = isNativeTransferSyntax(transferSyntax)
    ? nativeFrames(source, attributes, pixelOffset, pixelLength, frameCount)
    : await encapsulatedFrames(source, attributes, pixelOffset, frameCount, signal);
  return { source, attributes, transferSyntax, frames };
}

function nativeFrames(source: ByteSource, attributes: DicomAttributes, offset: number, length: number, count: number): FrameRange[] {
  const frameBytes =
    (attributes.number(TAG.Rows) ?? 0) *
    (attributes.number(TAG.Columns) ?? 0) *
    (attributes.number(TAG.SamplesPerPixel) ?? 1) *
    ((attributes.number(TAG.BitsAllocated) ?? 8) / 8);
  if (!(frameBytes > 0) || length < frameBytes * count || offset + frameBytes * count > source.size) {
    throw new SlideError(`${source.name} holds fewer pixels than its ${count} frames need; the DICOM file is truncated or damaged.`);
  }
  return Array.from({ length: count }, (_, i) => ({ offset: offset + i * frameBytes, length: frameBytes }));
}

const ITEM = 0xe000;
const SEQUENCE_DELIMITER = 0xe0dd;

/** Reads the (group, element, length) of the item header at `offset`. */
async function itemHeader(source: ByteSource, offset: number, signal?: AbortSignal): Promise<{ element: number; length: number }> {
  const bytes = await source.read(offset, 8, signal);
  if (bytes.length < 8) throw new SlideError(`${source.name} ends inside its pixel data; the DICOM file is truncated.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  if (view.getUint16(0, true) !== 0xfffe) throw new SlideError(`${source.name} has damaged pixel data (no fragment item where one should be).`);
  return { element: view.getUint16(2, true), length: view.getUint32(4, true) };
}

async function encapsulatedFrames(
  source: ByteSource,
  attributes: DicomAttributes,
  pixelOffset: number,
  count: number,
  signal?: AbortSignal,
): Promise<FrameRange[]> {
  const table = await itemHeader(source, pixelOffset, signal);
  if (table.element !== ITEM || table.length % 4 !== 0 || pixelOffset + 8 + table.length > source.size) {
    throw new SlideError(`${source.name} has damaged pixel data (its offset table is not valid).`);
  }
  const firstFragment = pixelOffset + 8 + table.length;
  const extended = extendedOffsetTable(attributes, count);
  if (extended) {
    return extended.offsets.map((offset, i) => checkedRange(source, firstFragment + offset + 8, extended.lengths[i]!));
  }
  if (table.length === count * 4 && count > 1) {
    const bytes = await source.read(pixelOffset + 8, table.length, signal);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const starts = Array.from({ length: count }, (_, i) => firstFragment + view.getUint32(i * 4, true));
    // One fragment a frame (what WSI writers do) when the first item fills the gap to the second frame.
    const first = await itemHeader(source, starts[0]!, signal);
    const last = await itemHeader(source, starts[count - 1]!, signal);
    if (first.element === ITEM && starts[1]! - starts[0]! === first.length + 8 && last.element === ITEM) {
      return starts.map((start, i) => checkedRange(source, start + 8, i < count - 1 ? starts[i + 1]! - start - 8 : last.length));
    }
  }
  return walkFragments(source, firstFragment, count, signal);
}

/** Extended Offset Table (7FE0,0001) and its lengths (7FE0,0002): 64-bit little-endian values, one a frame. */
function extendedOffsetTable(attributes: DicomAttributes, count: number): { offsets: number[]; lengths: number[] } | null {
  const offsets = attributes.bytes(TAG.ExtendedOffsetTable);
  const lengths = attributes.bytes(TAG.ExtendedOffsetTableLengths);
  if (!offsets || !lengths || offsets.length !== count * 8 || lengths.length !== count * 8) return null;
  const read = (bytes: Uint8Array) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: count }, (_, i) => Number(view.getBigUint64(i * 8, true)));
  };
  return { offsets: read(offsets), lengths: read(lengths) };
}

/** Without an offset table: every fragment item in turn, one fragment a frame. */
async function walkFragments(source: ByteSource, start: number, count: number, signal?: AbortSignal): Promise<FrameRange[]> {
  const fragments: FrameRange[] = [];
  let at = start;
  for (;;) {
    const header = await itemHeader(source, at, signal);
    if (header.element === SEQUENCE_DELIMITER) break;
    if (header.element !== ITEM) throw new SlideError(`${source.name} has damaged pixel data (an unexpected item in the fragments).`);
    fragments.push(checkedRange(source, at + 8, header.length));
    if (fragments.length > MAX_FRAMES) throw new SlideError(`${source.name} has more pixel data fragments than any slide; the file is damaged.`);
    at += 8 + header.length;
  }
  if (fragments.length === count) return fragments;
  throw new SlideError(`${source.name} stores its ${count} frames in ${fragments.length} fragments without an offset table, which PathoLens cannot split.`);
}

function checkedRange(source: ByteSource, offset: number, length: number): FrameRange {
  if (!(offset >= 0 && length >= 0 && offset + length <= source.size)) {
    throw new SlideError(`${source.name} is truncated or damaged: a frame lies past the end of the file.`);
  }
  return { offset, length };
}
