/**
 * 3DHistech MIRAX Slidedat.ini: the key file that says how a slide's camera images are cut, overlapped and
 * stored (pure parsing, no I/O). Read as OpenSlide reads it (GKeyFile rules, a UTF-8 byte-order mark skipped,
 * lines with a value but no key dropped): the slide zoom levels (HIER_0), each level's section (image size,
 * concatenation exponent, overlap, microns per pixel, image format, fill colour), the data files, and where the
 * nonhierarchical records (stage positions, macro, label, thumbnail) sit among Index.dat's records.
 */
import { SlideError } from '../slide-source';

export type IniFile = Map<string, Map<string, string>>;

/** OpenSlide refuses larger Slidedat.ini files too. */
export const MAX_SLIDEDAT_BYTES = 1 << 20;
/** Images across or down, and in all (stage positions are allocated per camera photo). */
const MAX_IMAGES_PER_SIDE = 1 << 20;
const MAX_IMAGES = 1 << 26;
const MAX_ZOOM_LEVELS = 30;
const MAX_DATA_FILES = 100_000;
/** Camera images are small (a camera frame cut in pieces): refuse a claimed size no scanner writes. */
const MAX_IMAGE_SIDE = 16384;

export function parseIni(text: string): IniFile {
  const groups: IniFile = new Map();
  let group: Map<string, string> | null = null;
  for (const raw of text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      const name = line.slice(1, -1);
      group = groups.get(name) ?? new Map<string, string>();
      groups.set(name, group);
      continue;
    }
    const equals = line.indexOf('=');
    if (equals <= 0 || !group) continue; // "=value" lines occur in scanners' files; OpenSlide drops them
    group.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim());
  }
  return groups;
}

export type MiraxImageFormat = 'JPEG' | 'PNG' | 'BMP24';

export interface ZoomLevelSection {
  section: string;
  concatExponent: number;
  overlapX: number;
  overlapY: number;
  mppX: number;
  mppY: number;
  /** RGB, from the file's BGR. */
  fill: [number, number, number];
  format: MiraxImageFormat;
  imageWidth: number;
  imageHeight: number;
}

export type PositionLayer = { record: number; compressed: boolean } | null;

export interface Slidedat {
  slideId: string;
  imagesX: number;
  imagesY: number;
  /** CameraImageDivisionsPerSide: each camera photo is cut into divisions x divisions images. */
  divisions: number;
  objectivePower: number | null;
  indexFile: string;
  dataFiles: string[];
  levels: ZoomLevelSection[];
  /** Index.dat record of the stage positions (VIMSLIDE_POSITION_BUFFER raw, StitchingIntensityLayer zlib). */
  positions: PositionLayer;
  /** Index.dat records of the associated images (JPEG), when the slide has them. */
  associated: { macro: number | null; label: number | null; thumbnail: number | null };
  /** Every key as `mirax.GROUP.KEY`, as OpenSlide names them. */
  properties: Record<string, string>;
}

/** A SlideError naming MRXS and what is wrong with Slidedat.ini. */
export function slidedatError(name: string, what: string): SlideError {
  return new SlideError(`${name} is a 3DHistech MRXS slide whose Slidedat.ini ${what}; the slide's folder is damaged or incomplete.`);
}

const FORMATS: readonly string[] = ['JPEG', 'PNG', 'BMP24'];

export function parseSlidedat(name: string, text: string): Slidedat {
  const ini = parseIni(text);
  const fail = (what: string) => slidedatError(name, what);
  const group = (g: string) => {
    const found = ini.get(g);
    if (!found) throw fail(`has no [${g}] section`);
    return found;
  };
  const value = (g: string, key: string) => {
    const found = group(g).get(key);
    if (found === undefined) throw fail(`has no ${key} in [${g}]`);
    return found;
  };
  const integer = (g: string, key: string, min: number, max: number) => {
    const text = value(g, key);
    const n = /^[-+]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(n >= min && n <= max)) throw fail(`says ${key}=${text} in [${g}], not a whole number from ${min} to ${max}`);
    return n;
  };
  const real = (g: string, key: string) => {
    const text = value(g, key);
    const n = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(n)) throw fail(`says ${key}=${text} in [${g}], not a number`);
    return n;
  };

  const slideId = value('GENERAL', 'SLIDE_ID');
  const imagesX = integer('GENERAL', 'IMAGENUMBER_X', 1, MAX_IMAGES_PER_SIDE);
  const imagesY = integer('GENERAL', 'IMAGENUMBER_Y', 1, MAX_IMAGES_PER_SIDE);
  if (imagesX * imagesY > MAX_IMAGES) throw fail(`claims ${imagesX} x ${imagesY} camera images, more than any scanner writes`);
  const divisions = group('GENERAL').has('CameraImageDivisionsPerSide') ? integer('GENERAL', 'CameraImageDivisionsPerSide', 1, 64) : 1;
  const magnification = /^(\d+)x?$/.exec(group('GENERAL').get('OBJECTIVE_MAGNIFICATION') ?? '');
  const objectivePower = magnification && Number(magnification[1]) > 0 ? Number(magnification[1]) : null;

  const hierCount = integer('HIERARCHICAL', 'HIER_COUNT', 1, 1000);
  const nonhierCount = integer('HIERARCHICAL', 'NONHIER_COUNT', 0, 1000);
  let zoomHier = -1;
  for (let i = 0; i < hierCount; i++) {
    if (value('HIERARCHICAL', `HIER_${i}_NAME`) === 'Slide zoom level') {
      zoomHier = i;
      break;
    }
  }
  if (zoomHier === -1) throw fail('names no "Slide zoom level" layer');
  if (zoomHier !== 0) throw fail('has its "Slide zoom level" layer after another hierarchical layer, which PathoLens (like OpenSlide) does not read');
  const indexFile = value('HIERARCHICAL', 'INDEXFILE');
  const zoomLevels = integer('HIERARCHICAL', 'HIER_0_COUNT', 1, MAX_ZOOM_LEVELS);

  const fileCount = integer('DATAFILE', 'FILE_COUNT', 1, MAX_DATA_FILES);
  const dataFiles = Array.from({ length: fileCount }, (_, i) => value('DATAFILE', `FILE_${i}`));

  const levels: ZoomLevelSection[] = [];
  for (let k = 0; k < zoomLevels; k++) {
    const section = value('HIERARCHICAL', `HIER_0_VAL_${k}_SECTION`);
    const format = value(section, 'IMAGE_FORMAT');
    if (!FORMATS.includes(format)) {
      throw new SlideError(
        `${name} is a 3DHistech MRXS slide whose zoom level ${k} stores its images as "${format}" (IMAGE_FORMAT in [${section}]), a format PathoLens does not know; it reads JPEG and PNG images.`,
      );
    }
    const bgr = integer(section, 'IMAGE_FILL_COLOR_BGR', -0x80000000, 0xffffffff) >>> 0;
    levels.push({
      section,
      concatExponent: integer(section, 'IMAGE_CONCAT_FACTOR', k === 0 ? 0 : 1, MAX_ZOOM_LEVELS),
      overlapX: real(section, 'OVERLAP_X'),
      overlapY: real(section, 'OVERLAP_Y'),
      mppX: real(section, 'MICROMETER_PER_PIXEL_X'),
      mppY: real(section, 'MICROMETER_PER_PIXEL_Y'),
      fill: [bgr & 0xff, (bgr >> 8) & 0xff, (bgr >> 16) & 0xff],
      format: format as MiraxImageFormat,
      imageWidth: integer(section, 'DIGITIZER_WIDTH', 1, MAX_IMAGE_SIDE),
      imageHeight: integer(section, 'DIGITIZER_HEIGHT', 1, MAX_IMAGE_SIDE),
    });
  }

  // Nonhierarchical records are numbered across all NONHIER_i values in order.
  const nonhier: { name: string; values: { value: string; section: string | undefined }[]; first: number }[] = [];
  let record = 0;
  for (let i = 0; i < nonhierCount; i++) {
    const layer = value('HIERARCHICAL', `NONHIER_${i}_NAME`);
    const count = integer('HIERARCHICAL', `NONHIER_${i}_COUNT`, 1, 100_000);
    const values = Array.from({ length: count }, (_, j) => ({
      value: group('HIERARCHICAL').get(`NONHIER_${i}_VAL_${j}`) ?? '',
      section: group('HIERARCHICAL').get(`NONHIER_${i}_VAL_${j}_SECTION`),
    }));
    nonhier.push({ name: layer, values, first: record });
    record += count;
  }
  const layerRecord = (layer: string) => nonhier.find((entry) => entry.name === layer)?.first ?? null;
  const vimslide = layerRecord('VIMSLIDE_POSITION_BUFFER');
  const stitching = vimslide === null ? layerRecord('StitchingIntensityLayer') : null;
  const positions: PositionLayer =
    vimslide !== null ? { record: vimslide, compressed: false } : stitching !== null ? { record: stitching, compressed: true } : null;
  const associatedRecord = (target: string, formatKey: string): number | null => {
    const layer = nonhier.find((entry) => entry.name === 'Scan data layer');
    const index = layer?.values.findIndex((entry) => entry.value === target) ?? -1;
    if (!layer || index === -1) return null;
    const section = layer.values[index]!.section;
    const format = section ? ini.get(section)?.get(formatKey) : undefined;
    // OpenSlide has only ever seen JPEG associated images; another format is left out (not an error to the slide).
    return format === 'JPEG' ? layer.first + index : null;
  };

  const properties: Record<string, string> = {};
  for (const [g, keys] of ini) for (const [key, text] of keys) properties[`mirax.${g}.${key}`] = text;
  return {
    slideId,
    imagesX,
    imagesY,
    divisions,
    objectivePower,
    indexFile,
    dataFiles,
    levels,
    positions,
    associated: {
      macro: associatedRecord('ScanDataLayer_SlideThumbnail', 'THUMBNAIL_IMAGE_TYPE'),
      label: associatedRecord('ScanDataLayer_SlideBarcode', 'BARCODE_IMAGE_TYPE'),
      thumbnail: associatedRecord('ScanDataLayer_SlidePreview', 'PREVIEW_IMAGE_TYPE'),
    },
    properties,
  };
}
