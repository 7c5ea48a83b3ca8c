/**
 * What a JPEG 2000 codestream's SIZ marker says (ISO 15444-1 A.5.1), read before decoding: the size it claims
 * (checked against the TIFF block) and each component's sampling, which decides who converts YCbCr to RGB.
 */

export interface J2kHeader {
  width: number;
  height: number;
  /** Per component: horizontal and vertical sample separation (XRsiz, YRsiz); 1 = full resolution. */
  components: { dx: number; dy: number }[];
}

/** The SIZ marker of a raw codestream (SOC then SIZ, as TIFF tiles store it); null when it has none. */
export function readJ2kHeader(bytes: Uint8Array): J2kHeader | null {
  if (bytes.length < 42 || bytes[0] !== 0xff || bytes[1] !== 0x4f || bytes[2] !== 0xff || bytes[3] !== 0x51) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint16(40);
  const components: J2kHeader['components'] = [];
  for (let c = 0; c < count && 42 + 3 * c + 2 < bytes.length; c++) components.push({ dx: bytes[43 + 3 * c]!, dy: bytes[44 + 3 * c]! });
  return { width: view.getUint32(8) - view.getUint32(16), height: view.getUint32(12) - view.getUint32(20), components };
}

/**
 * OpenJPEG's decoder (like opj_decompress) treats a 3-component codestream whose chroma is subsampled as sYCC
 * and returns it already converted to RGB (upsampled): the rule below is OpenJPEG's own. Aperio 33003 tiles
 * with 2:1 chroma are such codestreams, so converting them again would turn white magenta and tissue green.
 */
export function openJpegConvertsToRgb(header: J2kHeader): boolean {
  const [luma, chroma] = header.components;
  return header.components.length === 3 && luma !== undefined && chroma !== undefined && luma.dx === luma.dy && chroma.dx !== 1;
}
