/**
 * DICOM transfer syntaxes and photometric interpretations as the tile decoders know them (TIFF compression and
 * photometric codes), so DICOM frames go through the same decoders as TIFF tiles: JPEG baseline = TIFF JPEG,
 * JPEG 2000 = OpenJPEG, native pixels = uncompressed.
 */
import type { TileCodec } from '../tile-codec';
import type { DicomAttributes } from './dicom-attributes';
import { TAG } from './dicom-attributes';

const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
const JPEG2000 = ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'];
const NATIVE = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'];

const NAMES: Record<string, string> = {
  [JPEG_BASELINE]: 'JPEG baseline',
  [JPEG_EXTENDED]: 'JPEG extended (12-bit)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.4.110': 'JPEG XL lossless',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2': 'uncompressed (Implicit VR)',
  '1.2.840.10008.1.2.1': 'uncompressed',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR',
  '1.2.840.10008.1.2.2': 'uncompressed big endian',
};

/** "JPEG baseline", or "transfer syntax 1.2.3" for one we have no name for. */
export function transferSyntaxName(uid: string): string {
  return NAMES[uid] ?? `transfer syntax ${uid}`;
}

export function isNativeTransferSyntax(uid: string): boolean {
  return NATIVE.includes(uid);
}

/** TIFF compression code for a transfer syntax; null when PathoLens has no decoder for it. */
export function compressionOf(uid: string): number | null {
  if (uid === JPEG_BASELINE || uid === JPEG_EXTENDED) return 7;
  if (JPEG2000.includes(uid)) return 34712;
  if (NATIVE.includes(uid)) return 1;
  return null;
}

/** TIFF photometric code of a DICOM PhotometricInterpretation (null: not one PathoLens shows). */
function photometricOf(interpretation: string | undefined): number | null {
  switch (interpretation) {
    case 'MONOCHROME1':
      return 0;
    case 'MONOCHROME2':
      return 1;
    case 'RGB':
    case 'YBR_ICT':
    case 'YBR_RCT':
      // JPEG 2000's colour transforms are undone by the decoder itself: its output is RGB.
      return 2;
    case 'YBR_FULL':
    case 'YBR_FULL_422':
      return 6;
    default:
      return null;
  }
}

/**
 * How the frames of an instance decode when stored in `transferSyntax`, or a reason they cannot be shown.
 * `key` names the instance (decoders keep per-key state such as parsed tables).
 */
export function frameCodec(key: string, attributes: DicomAttributes, transferSyntax: string): TileCodec | string {
  const compression = compressionOf(transferSyntax);
  if (compression === null) return `${transferSyntaxName(transferSyntax)} (${transferSyntax})`;
  const interpretation = attributes.text(TAG.PhotometricInterpretation);
  const photometric = photometricOf(interpretation);
  const samplesPerPixel = attributes.number(TAG.SamplesPerPixel) ?? 3;
  const bits = attributes.number(TAG.BitsAllocated) ?? 8;
  if (photometric === null) return `the photometric interpretation ${interpretation ?? '(none)'}`;
  if (bits !== 8) return `${bits}-bit samples`;
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) return `${samplesPerPixel} samples a pixel`;
  // Native YBR_FULL_422 stores two luma samples per chroma pair: no tile decoder reads that layout.
  if (compression === 1 && interpretation === 'YBR_FULL_422') return 'uncompressed YBR_FULL_422 pixels';
  return {
    key,
    compression,
    photometric,
    samplesPerPixel,
    bitsPerSample: 8,
    sampleFormat: 1,
    planar: compression === 1 && attributes.number(TAG.PlanarConfiguration) === 1 ? 2 : 1,
    predictor: 1,
    littleEndian: true,
    alpha: false,
    jpegTables: null,
    colorMap: null,
  };
}
