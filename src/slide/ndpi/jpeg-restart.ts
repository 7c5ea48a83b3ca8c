/**
 * Pieces of a JPEG with restart markers (Hamamatsu NDPI levels): the header's geometry, and a stand-alone JPEG
 * made of some restart intervals, so a part of a level decodes without the rest. Restart intervals reset the
 * DC prediction, so each one decodes on its own; the new JPEG is the original header with the SOF's size
 * changed to the part's, then the intervals' entropy-coded bytes joined by RST0, RST1, … and EOI.
 */

export interface JpegRestartHeader {
  /** Bytes from SOI to the end of the SOS segment (the first entropy-coded byte follows). */
  header: Uint8Array;
  /** Offset of the SOF marker in `header`. */
  sofAt: number;
  width: number;
  height: number;
  mcuWidth: number;
  mcuHeight: number;
  /** MCUs per restart interval; 0 when the JPEG has no restart markers. */
  restartInterval: number;
}

/** Parses the markers before the scan: the header, 'more' when `bytes` ends before SOS, or why it cannot be used. */
export function parseJpegRestartHeader(bytes: Uint8Array): JpegRestartHeader | 'more' | string {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return 'it does not start like a JPEG';
  let at = 2;
  let sofAt = -1;
  let width = 0;
  let height = 0;
  let mcuWidth = 8;
  let mcuHeight = 8;
  let restartInterval = 0;
  for (;;) {
    if (at + 4 > bytes.length) return 'more';
    if (bytes[at] !== 0xff) return `no JPEG marker at byte ${at}`;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (at + 2 + length > bytes.length) return 'more';
    if (marker === 0xc0 || marker === 0xc1) {
      sofAt = at;
      height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      const components = bytes[at + 9]!;
      let maxH = 1;
      let maxV = 1;
      for (let c = 0; c < components; c++) {
        const sampling = bytes[at + 11 + c * 3] ?? 0x11;
        maxH = Math.max(maxH, sampling >> 4);
        maxV = Math.max(maxV, sampling & 15);
      }
      mcuWidth = components > 1 ? 8 * maxH : 8;
      mcuHeight = components > 1 ? 8 * maxV : 8;
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return 'it is not a baseline JPEG';
    } else if (marker === 0xdd) {
      restartInterval = (bytes[at + 4]! << 8) | bytes[at + 5]!;
    }
    at += 2 + length;
    if (marker === 0xda) break;
  }
  if (sofAt < 0 || width < 1 || height < 1) return 'its JPEG has no frame header';
  return { header: bytes.slice(0, at), sofAt, width, height, mcuWidth, mcuHeight, restartInterval };
}

/** The header with the SOF's size changed to a part's `width` x `height`. */
export function partHeader(header: JpegRestartHeader, width: number, height: number): Uint8Array {
  const out = header.header.slice();
  out[header.sofAt + 5] = height >> 8;
  out[header.sofAt + 6] = height & 255;
  out[header.sofAt + 7] = width >> 8;
  out[header.sofAt + 8] = width & 255;
  return out;
}

/** A JPEG of `width` x `height` from the header and the restart intervals' entropy-coded bytes (markers removed). */
export function jpegFromIntervals(header: JpegRestartHeader, width: number, height: number, intervals: Uint8Array[]): Uint8Array {
  const size = header.header.length + intervals.reduce((sum, part) => sum + part.length + 2, 0);
  const out = new Uint8Array(size);
  out.set(partHeader(header, width, height), 0);
  let at = header.header.length;
  intervals.forEach((part, i) => {
    out.set(part, at);
    at += part.length;
    out[at++] = 0xff;
    out[at++] = i === intervals.length - 1 ? 0xd9 : 0xd0 + (i % 8);
  });
  return out;
}

/**
 * The same JPEG as jpegFromIntervals, from a part header (partHeader) and intervals given as [start, end) pairs
 * in `span` (flat: start0, end0, start1, end1, …), each end just past the interval's own 2-byte marker (RSTn or
 * EOI), which is dropped and replaced: what a decode worker does with a band it read itself.
 */
export function jpegFromSpan(header: Uint8Array, span: Uint8Array, intervals: readonly number[]): Uint8Array {
  const count = intervals.length / 2;
  let size = header.length;
  for (let i = 0; i < count; i++) size += Math.max(0, intervals[2 * i + 1]! - 2 - intervals[2 * i]!) + 2;
  const out = new Uint8Array(size);
  out.set(header, 0);
  let at = header.length;
  for (let i = 0; i < count; i++) {
    const start = intervals[2 * i]!;
    const part = span.subarray(start, Math.max(start, intervals[2 * i + 1]! - 2));
    out.set(part, at);
    at += part.length;
    out[at++] = 0xff;
    out[at++] = i === count - 1 ? 0xd9 : 0xd0 + (i % 8);
  }
  return out;
}
