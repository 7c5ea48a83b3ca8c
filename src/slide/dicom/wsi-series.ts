/**
 * From the instances of a DICOM VL Whole Slide Microscopy series (Supplement 145) to a pyramid: which instance
 * is which level, which frame holds each tile (TILED_FULL: in order; TILED_SPARSE: by each frame's position;
 * concatenations: frames spread over several instances), the label / overview / thumbnail, scale and metadata.
 * Pure: the same for files on disk and DICOMweb metadata.
 */
import { SlideError, type AssociatedImageName } from '../slide-source';
import { TAG, type DicomAttributes } from './dicom-attributes';

export const WSI_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.77.1.6';

/** One instance as the planner sees it; `handle` is whatever the reader needs to fetch its frames. */
export interface WsiInstance<T> {
  attributes: DicomAttributes;
  handle: T;
}

/** Frame `frame` (0-based) of an instance. */
export interface FrameAddress<T> {
  instance: WsiInstance<T>;
  frame: number;
}

/** A tiled image (a pyramid level, or a label / overview): its size and the frame of each tile, row by row. */
export interface TiledImage<T> {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
  /** null: a tile no frame covers (TILED_SPARSE, outside the scanned area): glass. */
  tiles: (FrameAddress<T> | null)[];
  /** The instances the image's frames come from (more than one for a concatenation). */
  instances: WsiInstance<T>[];
}

export interface WsiSeries<T> {
  levels: TiledImage<T>[];
  associated: Partial<Record<AssociatedImageName, TiledImage<T>>>;
  mppX: number | null;
  mppY: number | null;
  objectivePower: number | null;
  vendor: string | null;
  properties: Record<string, string>;
}

/** Sides and tile counts beyond these are refused: no real slide has them, a damaged header may claim them. */
const MAX_SIDE = 1_000_000;
/** 4M tiles: a 65-gigapixel level of 128-px tiles; the tile table is 8 bytes a tile. */
const MAX_TILES_PER_LEVEL = 4_000_000;

const ASSOCIATED_TYPES: Record<string, AssociatedImageName> = { LABEL: 'label', OVERVIEW: 'macro', THUMBNAIL: 'thumbnail' };

function imageFlavor(attributes: DicomAttributes): string {
  return (attributes.text(TAG.ImageType, 2) ?? '').toUpperCase();
}

export function isWsiInstance(attributes: DicomAttributes): boolean {
  return attributes.text(TAG.SOPClassUID) === WSI_SOP_CLASS;
}

/** Plans the pyramid of one series; `name` is used in sentences. */
export function planWsiSeries<T>(name: string, all: WsiInstance<T>[]): WsiSeries<T> {
  const wsi = all.filter((instance) => isWsiInstance(instance.attributes));
  if (wsi.length === 0) {
    const sop = all[0]?.attributes.text(TAG.SOPClassUID);
    throw new SlideError(
      `${name} is DICOM but not a whole-slide image (SOP class ${sop ?? 'not given'}); open the VL Whole Slide Microscopy files of a slide.`,
    );
  }
  const series = new Set(wsi.map((instance) => instance.attributes.text(TAG.SeriesInstanceUID) ?? ''));
  if (series.size > 1) {
    throw new SlideError(`${name} holds ${series.size} different DICOM slides (series); open the files of one slide (one series) at a time.`);
  }
  const volumes = wsi.filter((instance) => imageFlavor(instance.attributes) === 'VOLUME');
  if (volumes.length === 0) {
    throw new SlideError(`${name} holds only the label, overview or thumbnail of a DICOM slide; open the whole folder or all of its files.`);
  }
  // One optical path (fluorescence series have several; the first is shown).
  const path = opticalPath(volumes[0]!.attributes);
  const shown = volumes.filter((instance) => opticalPath(instance.attributes) === path);
  const bySize = new Map<string, WsiInstance<T>[]>();
  for (const instance of shown) {
    const key = `${totalColumns(instance.attributes)}x${totalRows(instance.attributes)}`;
    bySize.set(key, [...(bySize.get(key) ?? []), instance]);
  }
  const levels = [...bySize.values()]
    .map((group) => tiledImage(name, group))
    .sort((a, b) => b.width - a.width || b.height - a.height)
    .filter((level, i, sorted) => i === 0 || level.width < sorted[i - 1]!.width);
  const associated: WsiSeries<T>['associated'] = {};
  for (const instance of wsi) {
    const kind = ASSOCIATED_TYPES[imageFlavor(instance.attributes)];
    if (kind && !associated[kind]) {
      try {
        associated[kind] = tiledImage(name, [instance]);
      } catch {
        // a damaged label is left out; the slide still shows
      }
    }
  }
  const base = levels[0]!.instances[0]!.attributes;
  const { mppX, mppY } = scaleOf(base, levels[0]!.width, levels[0]!.height);
  const power = base.sequence(TAG.OpticalPathSequence)[0]?.number(TAG.ObjectiveLensPower);
  return {
    levels,
    associated,
    mppX,
    mppY,
    objectivePower: power !== undefined && power > 0 ? power : null,
    vendor: base.text(TAG.Manufacturer) ?? null,
    properties: propertiesOf(base),
  };
}

function opticalPath(attributes: DicomAttributes): string {
  return attributes.sequence(TAG.OpticalPathSequence)[0]?.text(TAG.OpticalPathIdentifier) ?? '';
}

function totalColumns(attributes: DicomAttributes): number {
  return attributes.number(TAG.TotalPixelMatrixColumns) ?? attributes.number(TAG.Columns) ?? 0;
}

function totalRows(attributes: DicomAttributes): number {
  return attributes.number(TAG.TotalPixelMatrixRows) ?? attributes.number(TAG.Rows) ?? 0;
}

/**
 * Concatenation parts in order; instances of one size that are not parts of one concatenation: the first.
 * A concatenation with a part missing is refused by name rather than shown with holes.
 */
function framesInOrder<T>(name: string, group: WsiInstance<T>[]): { instance: WsiInstance<T>; offset: number }[] {
  const first = group[0]!;
  const concatenation = first.attributes.text(TAG.ConcatenationUID);
  if (!concatenation) return [{ instance: first, offset: 0 }];
  const parts = group
    .filter((instance) => instance.attributes.text(TAG.ConcatenationUID) === concatenation)
    .map((instance) => ({ instance, offset: instance.attributes.number(TAG.ConcatenationFrameOffsetNumber) ?? 0 }))
    .sort((a, b) => a.offset - b.offset);
  const total = first.attributes.number(TAG.InConcatenationTotalNumber) ?? parts.length;
  if (parts.length < total) {
    const present = new Set(parts.map(({ instance }) => instance.attributes.number(TAG.InConcatenationNumber)));
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((n) => !present.has(n));
    throw new SlideError(
      `${name} is a DICOM slide whose level of ${totalColumns(first.attributes)} x ${totalRows(first.attributes)} pixels is split into ${total} files (a concatenation), but part ${missing.join(', ')} is missing; open all the files of the slide.`,
    );
  }
  return parts;
}

function tiledImage<T>(name: string, group: WsiInstance<T>[]): TiledImage<T> {
  const attributes = group[0]!.attributes;
  const width = totalColumns(attributes);
  const height = totalRows(attributes);
  const tileWidth = attributes.number(TAG.Columns) ?? 0;
  const tileHeight = attributes.number(TAG.Rows) ?? 0;
  if (![width, height, tileWidth, tileHeight].every((v) => Number.isInteger(v) && v >= 1 && v <= MAX_SIDE)) {
    throw new SlideError(
      `${name} is a DICOM slide whose image size (${width} x ${height}, tiles ${tileWidth} x ${tileHeight}) is not valid; the file is damaged.`,
    );
  }
  const columns = Math.ceil(width / tileWidth);
  const rows = Math.ceil(height / tileHeight);
  if (columns * rows > MAX_TILES_PER_LEVEL) throw new SlideError(`${name} claims ${columns * rows} tiles in one level; the file is damaged.`);
  const parts = framesInOrder(name, group);
  const tiles: (FrameAddress<T> | null)[] = new Array<FrameAddress<T> | null>(columns * rows).fill(null);
  const sparse = parts.some((part) => part.instance.attributes.text(TAG.DimensionOrganizationType) === 'TILED_SPARSE');
  if (!sparse) {
    // TILED_FULL: frames run along rows, then down (then focal planes and optical paths: the first plane is shown).
    const frameCount = parts.reduce((sum, { instance }) => sum + (instance.attributes.number(TAG.NumberOfFrames) ?? 1), 0);
    if (frameCount < columns * rows) {
      throw new SlideError(
        `${name} is a TILED_FULL DICOM slide with ${frameCount} frames for ${columns * rows} tiles; a file of the level is missing or damaged.`,
      );
    }
    for (const { instance, offset } of parts) {
      const frames = instance.attributes.number(TAG.NumberOfFrames) ?? 1;
      for (let frame = 0; frame < frames && offset + frame < tiles.length; frame++) tiles[offset + frame] = { instance, frame };
    }
  } else {
    let plane: number | undefined;
    for (const { instance } of parts) {
      const positions = instance.attributes.sequence(TAG.PerFrameFunctionalGroupsSequence);
      const frames = instance.attributes.number(TAG.NumberOfFrames) ?? 1;
      if (positions.length < frames) {
        throw new SlideError(
          `${name} is a TILED_SPARSE DICOM slide whose frames have no positions (${positions.length} for ${frames} frames); the file is damaged.`,
        );
      }
      for (let frame = 0; frame < frames; frame++) {
        const position = positions[frame]!.sequence(TAG.PlanePositionSlideSequence)[0];
        const column = position?.number(TAG.ColumnPositionInTotalImagePixelMatrix);
        const row = position?.number(TAG.RowPositionInTotalImagePixelMatrix);
        if (column === undefined || row === undefined) continue;
        const z = position!.number(TAG.ZOffsetInSlideCoordinateSystem) ?? 0;
        plane ??= z;
        if (z !== plane) continue; // another focal plane
        // Positions are 1-based pixel positions of the frame's top-left corner.
        const c = (column - 1) / tileWidth;
        const r = (row - 1) / tileHeight;
        if (Number.isInteger(c) && Number.isInteger(r) && c >= 0 && r >= 0 && c < columns && r < rows) tiles[r * columns + c] = { instance, frame };
      }
    }
  }
  return { width, height, tileWidth, tileHeight, columns, rows, tiles, instances: parts.map((part) => part.instance) };
}

/** Microns per pixel from PixelSpacing (mm, row spacing then column spacing), else from the imaged volume's size. */
function scaleOf(attributes: DicomAttributes, width: number, height: number): { mppX: number | null; mppY: number | null } {
  const measures = attributes.sequence(TAG.SharedFunctionalGroupsSequence)[0]?.sequence(TAG.PixelMeasuresSequence)[0];
  const rowSpacing = measures?.number(TAG.PixelSpacing, 0);
  const columnSpacing = measures?.number(TAG.PixelSpacing, 1);
  if (rowSpacing && columnSpacing && rowSpacing > 0 && columnSpacing > 0) return { mppX: columnSpacing * 1000, mppY: rowSpacing * 1000 };
  const volumeWidth = attributes.number(TAG.ImagedVolumeWidth);
  const volumeHeight = attributes.number(TAG.ImagedVolumeHeight);
  if (volumeWidth && volumeHeight && volumeWidth > 0 && volumeHeight > 0) return { mppX: (volumeWidth * 1000) / width, mppY: (volumeHeight * 1000) / height };
  return { mppX: null, mppY: null };
}

/**
 * What the metadata panel shows. Patient name, ID and birth date are left out on purpose: the panel is shown on
 * teaching screens and kiosks, and nothing in PathoLens needs them.
 */
function propertiesOf(attributes: DicomAttributes): Record<string, string> {
  const shown: [string, string][] = [
    ['dicom.Manufacturer', TAG.Manufacturer],
    ['dicom.ManufacturerModelName', TAG.ManufacturerModelName],
    ['dicom.DeviceSerialNumber', TAG.DeviceSerialNumber],
    ['dicom.SoftwareVersions', TAG.SoftwareVersions],
    ['dicom.ContainerIdentifier', TAG.ContainerIdentifier],
    ['dicom.StudyDate', TAG.StudyDate],
    ['dicom.AccessionNumber', TAG.AccessionNumber],
    ['dicom.StudyDescription', TAG.StudyDescription],
    ['dicom.SeriesDescription', TAG.SeriesDescription],
    ['dicom.StudyInstanceUID', TAG.StudyInstanceUID],
    ['dicom.SeriesInstanceUID', TAG.SeriesInstanceUID],
    ['dicom.DimensionOrganizationType', TAG.DimensionOrganizationType],
    ['dicom.PhotometricInterpretation', TAG.PhotometricInterpretation],
  ];
  const properties: Record<string, string> = {};
  for (const [key, tag] of shown) {
    const value = attributes.texts(tag).join('\\');
    if (value) properties[key] = value;
  }
  const spacing = attributes.sequence(TAG.SharedFunctionalGroupsSequence)[0]?.sequence(TAG.PixelMeasuresSequence)[0]?.texts(TAG.PixelSpacing);
  if (spacing?.length) properties['dicom.PixelSpacing'] = spacing.join('\\');
  return properties;
}
