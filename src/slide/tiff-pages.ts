/**
 * One TIFF page (IFD) as the reader sees it: size, tiling, compression, where its blocks lie, all checked
 * against sane limits before anything is allocated (a header claiming 10^7 x 10^7 pixels is refused here).
 */
import { SlideError } from './slide-source';
import { readNumbers, tagBytes, tagNumber, tagNumbers, tagText, type TiffFile, type TiffIfd } from './tiff-structure';
import { SUPPORTED_COMPRESSIONS, type TileCodec } from './tile-codec';

/** Codecs that carry YCbCr inside their own stream (JPEG, JPEG 2000): no TIFF-level subsampling to unpack. */
const YCBCR_CODECS = new Set([7, 33003, 33005, 34712]);

export const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  ResolutionUnit: 296,
  Software: 305,
  DateTime: 306,
  Make: 271,
  Model: 272,
  Predictor: 317,
  ColorMap: 320,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  ExtraSamples: 338,
  SampleFormat: 339,
  JPEGTables: 347,
  YCbCrSubSampling: 530,
} as const;

/** Largest side we accept: 10^6 px is 25 cm at 0.25 µm/px, beyond any glass slide. */
export const MAX_SIDE = 1_000_000;
/** Largest decoded block (tile or strip) in pixels: 64 Mpx = 256 MB of RGBA. */
export const MAX_BLOCK_PIXELS = 64 * 1024 * 1024;
const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

export interface TiffPage {
  index: number;
  ifd: TiffIfd;
  width: number;
  height: number;
  tiled: boolean;
  /** Tile size, or for strips the image width and RowsPerStrip. */
  blockWidth: number;
  blockHeight: number;
  columns: number;
  rows: number;
  newSubfileType: number;
  description: string | undefined;
  codec: TileCodec;
  xResolution: number | undefined;
  yResolution: number | undefined;
  resolutionUnit: number | undefined;
}

export async function loadPage(file: TiffFile, ifd: TiffIfd, index: number, signal?: AbortSignal): Promise<TiffPage> {
  const name = file.source.name;
  const number = (tag: number) => tagNumber(file, ifd, tag, signal);
  const width = (await number(TAG.ImageWidth)) ?? 0;
  const height = (await number(TAG.ImageLength)) ?? 0;
  if (!(width >= 1 && height >= 1)) throw new SlideError(`${name} has an image without a width or height, so it cannot be shown.`);
  if (width > MAX_SIDE || height > MAX_SIDE) {
    throw new SlideError(`${name} claims an image of ${width} x ${height} pixels, larger than any real slide; the file is damaged or not a slide.`);
  }
  const tiled = ifd.entries.has(TAG.TileOffsets);
  const blockWidth = tiled ? ((await number(TAG.TileWidth)) ?? 0) : width;
  const blockHeight = tiled ? ((await number(TAG.TileLength)) ?? 0) : Math.min((await number(TAG.RowsPerStrip)) ?? height, height);
  if (!(blockWidth >= 1 && blockHeight >= 1) || blockWidth > 65536 || blockHeight > 65536 || blockWidth * blockHeight > MAX_BLOCK_PIXELS) {
    throw new SlideError(`${name} stores its pixels in blocks of ${blockWidth} x ${blockHeight}, which cannot be read (too large or empty).`);
  }
  const samplesPerPixel = (await number(TAG.SamplesPerPixel)) ?? 1;
  const bits = (await tagNumbers(file, ifd, TAG.BitsPerSample, signal)) ?? [1];
  const bitsPerSample = bits[0] ?? 1;
  const planar = (await number(TAG.PlanarConfiguration)) === 2 ? 2 : 1;
  if (samplesPerPixel < 1 || samplesPerPixel > 8) throw new SlideError(`${name} has ${samplesPerPixel} samples a pixel, which PathoLens cannot show.`);
  if (bitsPerSample !== 8 && bitsPerSample !== 16) {
    throw new SlideError(`${name} stores ${bitsPerSample}-bit samples; PathoLens reads 8- and 16-bit images only.`);
  }
  if ((await number(TAG.SampleFormat)) === 3)
    throw new SlideError(`${name} stores floating-point samples, which PathoLens cannot show; convert them to 8- or 16-bit integers.`);
  const columns = Math.ceil(width / blockWidth);
  const rows = Math.ceil(height / blockHeight);
  const expectedBlocks = columns * rows * (planar === 2 ? samplesPerPixel : 1);
  const offsetsEntry = ifd.entries.get(tiled ? TAG.TileOffsets : TAG.StripOffsets);
  const countsEntry = ifd.entries.get(tiled ? TAG.TileByteCounts : TAG.StripByteCounts);
  if (!offsetsEntry || !countsEntry || offsetsEntry.count < expectedBlocks || countsEntry.count < expectedBlocks) {
    throw new SlideError(
      `${name} is damaged: an image of ${width} x ${height} pixels needs ${expectedBlocks} ${tiled ? 'tiles' : 'strips'}, but the file lists ${offsetsEntry?.count ?? 0}.`,
    );
  }
  const extra = (await tagNumbers(file, ifd, TAG.ExtraSamples, signal)) ?? [];
  const colorMap = (await number(TAG.Photometric)) === 3 ? ((await tagNumbers(file, ifd, TAG.ColorMap, signal)) ?? null) : null;
  const photometric = (await number(TAG.Photometric)) ?? (samplesPerPixel >= 3 ? 2 : 1);
  const compression = (await number(TAG.Compression)) ?? 1;
  if (photometric === 6 && SUPPORTED_COMPRESSIONS.has(compression) && !YCBCR_CODECS.has(compression)) {
    // Outside JPEG, YCbCr samples are stored in subsampled blocks (default 2x2) that we do not unpack. Codecs we
    // cannot decode at all (old-style JPEG, 6) are refused by name when the slide opens.
    const subsampling = (await tagNumbers(file, ifd, TAG.YCbCrSubSampling, signal)) ?? [2, 2];
    if (subsampling[0] !== 1 || subsampling[1] !== 1) {
      throw new SlideError(
        `${name} stores chroma-subsampled YCbCr pixels without JPEG compression, which PathoLens cannot decode; convert the slide to JPEG tiles.`,
      );
    }
  }
  return {
    index,
    ifd,
    width,
    height,
    tiled,
    blockWidth,
    blockHeight,
    columns,
    rows,
    newSubfileType: (await number(TAG.NewSubfileType)) ?? 0,
    description: await tagText(file, ifd, TAG.ImageDescription, signal),
    xResolution: await number(TAG.XResolution),
    yResolution: await number(TAG.YResolution),
    resolutionUnit: await number(TAG.ResolutionUnit),
    codec: {
      key: `${file.source.name}#${ifd.offset}`,
      compression,
      photometric,
      samplesPerPixel,
      bitsPerSample,
      sampleFormat: (await number(TAG.SampleFormat)) ?? 1,
      planar,
      predictor: (await number(TAG.Predictor)) ?? 1,
      littleEndian: file.littleEndian,
      alpha: extra.length > 0 && (extra[0] === 1 || extra[0] === 2),
      jpegTables: compression === 7 ? ((await tagBytes(file, ifd, TAG.JPEGTables, signal)) ?? null) : null,
      colorMap,
    },
  };
}

/** Where each block of a page lies: loaded once, checked against the file size. */
export interface BlockIndex {
  offsets: number[];
  byteCounts: number[];
}

export async function loadBlockIndex(file: TiffFile, page: TiffPage, signal?: AbortSignal): Promise<BlockIndex> {
  const { ifd } = page;
  const offsets = await readNumbers(file, ifd.entries.get(page.tiled ? TAG.TileOffsets : TAG.StripOffsets)!, signal);
  const byteCounts = await readNumbers(file, ifd.entries.get(page.tiled ? TAG.TileByteCounts : TAG.StripByteCounts)!, signal);
  for (let i = 0; i < offsets.length; i++) {
    const count = byteCounts[i] ?? 0;
    if (count > MAX_BLOCK_BYTES || (count > 0 && offsets[i]! + count > file.source.size)) {
      throw new SlideError(`${file.source.name} is truncated or damaged: a block of image ${page.index} lies past the end of the file.`);
    }
  }
  return { offsets, byteCounts };
}
