/**
 * The DICOM attributes a whole-slide reader needs, read the same way from a Part 10 file (parsed by
 * dicom-parser) and from a DICOMweb server's JSON metadata (PS3.18 F.2), so one series planner serves both.
 * Tags are written as in DICOM JSON: eight upper-case hex digits.
 */
import type { DataSet, Element } from 'dicom-parser';

export const TAG = {
  TransferSyntaxUID: '00020010',
  ImageType: '00080008',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDate: '00080020',
  AccessionNumber: '00080050',
  Manufacturer: '00080070',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  ManufacturerModelName: '00081090',
  DeviceSerialNumber: '00181000',
  SoftwareVersions: '00181020',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  DimensionOrganizationType: '00209311',
  ConcatenationUID: '00209161',
  InConcatenationNumber: '00209162',
  InConcatenationTotalNumber: '00209163',
  ConcatenationFrameOffsetNumber: '00209228',
  SamplesPerPixel: '00280002',
  PhotometricInterpretation: '00280004',
  PlanarConfiguration: '00280006',
  NumberOfFrames: '00280008',
  Rows: '00280010',
  Columns: '00280011',
  PixelSpacing: '00280030',
  BitsAllocated: '00280100',
  PixelMeasuresSequence: '00289110',
  ContainerIdentifier: '00400512',
  ZOffsetInSlideCoordinateSystem: '0040074A',
  ImagedVolumeWidth: '00480001',
  ImagedVolumeHeight: '00480002',
  TotalPixelMatrixColumns: '00480006',
  TotalPixelMatrixRows: '00480007',
  OpticalPathSequence: '00480105',
  OpticalPathIdentifier: '00480106',
  ObjectiveLensPower: '00480112',
  OpticalPathIdentificationSequence: '00480207',
  PlanePositionSlideSequence: '0048021A',
  ColumnPositionInTotalImagePixelMatrix: '0048021E',
  RowPositionInTotalImagePixelMatrix: '0048021F',
  SharedFunctionalGroupsSequence: '52009229',
  PerFrameFunctionalGroupsSequence: '52009230',
  ExtendedOffsetTable: '7FE00001',
  ExtendedOffsetTableLengths: '7FE00002',
  PixelData: '7FE00010',
} as const;

/** Value representations of the tags above, for files in Implicit VR (which do not store them). */
const VR: Record<string, string> = {
  '00280002': 'US',
  '00280006': 'US',
  '00280010': 'US',
  '00280011': 'US',
  '00280100': 'US',
  '00209162': 'US',
  '00209163': 'US',
  '00209228': 'UL',
  '00480006': 'UL',
  '00480007': 'UL',
  '0048021E': 'SL',
  '0048021F': 'SL',
  '00480001': 'FL',
  '00480002': 'FL',
  '00280008': 'IS',
};

export interface DicomAttributes {
  /** The value (or the index-th of a multi-valued one) as text, trimmed; undefined when absent or empty. */
  text(tag: string, index?: number): string | undefined;
  /** All values of a multi-valued text attribute (ImageType: ORIGINAL\PRIMARY\VOLUME\NONE). */
  texts(tag: string): string[];
  /** A numeric value (US, UL, SL, FL, FD, IS, DS); undefined when absent or not a number. */
  number(tag: string, index?: number): number | undefined;
  /** The items of a sequence (empty when absent). */
  sequence(tag: string): DicomAttributes[];
  /** The raw bytes of a binary value (OB/OV, e.g. the extended offset table); undefined when absent. */
  bytes(tag: string): Uint8Array | undefined;
}

/** Attributes of a dataset parsed by dicom-parser (a Part 10 file or a sequence item in it). */
export function dataSetAttributes(dataSet: DataSet): DicomAttributes {
  const element = (tag: string): Element | undefined => dataSet.elements[`x${tag.toLowerCase()}`];
  const texts = (tag: string): string[] => {
    const found = element(tag);
    if (!found || found.length === 0 || found.length > 1 << 20) return [];
    const raw = readRawText(dataSet, found) ?? '';
    return raw.split('\\').map((value) => value.trim());
  };
  return {
    text: (tag, index = 0) => texts(tag)[index] || undefined,
    texts,
    number(tag, index = 0) {
      const found = element(tag);
      if (!found || found.length === 0) return undefined;
      const vr = found.vr ?? VR[tag] ?? 'DS';
      const key = `x${tag.toLowerCase()}`;
      let value: number | undefined;
      if (vr === 'US') value = dataSet.uint16(key, index);
      else if (vr === 'UL') value = dataSet.uint32(key, index);
      else if (vr === 'SL') value = dataSet.int32(key, index);
      else if (vr === 'SS') value = dataSet.int16(key, index);
      else if (vr === 'FL') value = dataSet.float(key, index);
      else if (vr === 'FD') value = dataSet.double(key, index);
      else value = Number(texts(tag)[index]);
      return value !== undefined && Number.isFinite(value) ? value : undefined;
    },
    sequence(tag) {
      return (element(tag)?.items ?? []).flatMap((item) => (item.dataSet ? [dataSetAttributes(item.dataSet)] : []));
    },
    bytes(tag) {
      const found = element(tag);
      if (!found || found.dataOffset + found.length > dataSet.byteArray.length) return undefined;
      return dataSet.byteArray.subarray(found.dataOffset, found.dataOffset + found.length);
    },
  };
}

function readRawText(dataSet: DataSet, element: Element): string | undefined {
  if (element.dataOffset + element.length > dataSet.byteArray.length) return undefined;
  let text = '';
  for (let i = 0; i < element.length; i++) {
    const code = dataSet.byteArray[element.dataOffset + i]!;
    if (code === 0) break;
    text += String.fromCharCode(code);
  }
  return text;
}

/** One attribute of DICOM JSON: `{ vr, Value?: [...] }` (InlineBinary / BulkDataURI not used here). */
interface JsonAttribute {
  vr?: string;
  Value?: unknown[];
  InlineBinary?: string;
}

export type DicomJson = Record<string, JsonAttribute>;

/** Attributes of a DICOMweb JSON dataset (QIDO-RS / WADO-RS metadata). */
export function jsonAttributes(json: DicomJson): DicomAttributes {
  const values = (tag: string): unknown[] => {
    const attribute = json[tag];
    return Array.isArray(attribute?.Value) ? attribute.Value : [];
  };
  const texts = (tag: string): string[] =>
    values(tag).map((value) =>
      typeof value === 'object' && value !== null && 'Alphabetic' in value ? String((value as { Alphabetic: unknown }).Alphabetic) : String(value ?? '').trim(),
    );
  return {
    text: (tag, index = 0) => texts(tag)[index] || undefined,
    texts,
    number(tag, index = 0) {
      const value = values(tag)[index];
      const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      return Number.isFinite(number) ? number : undefined;
    },
    sequence: (tag) => values(tag).flatMap((item) => (typeof item === 'object' && item !== null ? [jsonAttributes(item as DicomJson)] : [])),
    bytes(tag) {
      const inline = json[tag]?.InlineBinary;
      if (typeof inline !== 'string') return undefined;
      const binary = atob(inline);
      return Uint8Array.from(binary, (c) => c.charCodeAt(0));
    },
  };
}
