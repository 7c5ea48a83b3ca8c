/**
 * Leica SCN (SCN400, Aperio Versa): a BigTIFF whose first page's description is an XML document (default namespace
 * leica-microsystems.com/scn/2010/03/10 or 2010/10/01) listing a collection of images, each with the IFD of every
 * resolution and its view (size and offset in nm on the glass). The rules are OpenSlide's (openslide-vendor-leica.c):
 * the macro image is the one whose view is the whole collection at (0, 0); every other brightfield image is a main
 * image, a scanned region. Several regions (e.g. two tissue sections) are placed by their offsets in one coordinate
 * space exactly as OpenSlide places them (level k: offset in nm / nm per pixel, truncated) and PathoLens shows their
 * bounding box (OpenSlide's `openslide.bounds-*`), glass (white) where no region lies. Main images scanned
 * differently (objective, pyramid depth, resolution) and fluorescence-only slides are refused with a sentence, as
 * OpenSlide refuses them.
 */
import { parseDecimal, plausibleMpp } from '../slide-numbers';
import { SlideError } from '../slide-source';
import type { TiffPage } from '../tiff-pages';
import type { LevelPlacement, PlacedPiece } from '../tile-placement';
import type { FormatMetadata, TiffFormat, TiffLayout, TiffPages } from './tiff-format';

const NAMESPACES = ['http://www.leica-microsystems.com/scn/2010/03/10', 'http://www.leica-microsystems.com/scn/2010/10/01'];
/** The largest level-0 extent of the regions' bounding box PathoLens accepts (as for TIFF pages). */
const MAX_SIDE = 1_000_000;

interface ScnDimension {
  ifd: number;
  width: number;
  height: number;
}

interface ScnImage {
  name: string;
  /** Resolutions of z-plane 0 (channel 0), largest first. */
  dimensions: ScnDimension[];
  /** View on the glass, in nm. */
  view: { width: number; height: number; x: number; y: number };
  isMacro: boolean;
  illumination: string | null;
  objective: string | null;
  aperture: string | null;
  creationDate: string | null;
  deviceModel: string | null;
  deviceVersion: string | null;
}

interface ScnCollection {
  width: number;
  height: number;
  barcode: string | null;
  images: ScnImage[];
}

function fail(name: string, what: string): never {
  throw new SlideError(`${name} is a Leica SCN slide whose XML ${what}, so it cannot be shown.`);
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (entity, body: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (named[body.toLowerCase()]) return named[body.toLowerCase()]!;
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

function attribute(tag: string, name: string): string | undefined {
  const value = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return value ? decodeEntities(value[1] ?? value[2] ?? '') : undefined;
}

/** An integer attribute, as OpenSlide parses them (a whole number, else the file is refused). */
function integer(tag: string, name: string, fileName: string, what: string): number {
  const text = attribute(tag, name)?.trim();
  if (text === undefined || !/^[-+]?\d{1,16}$/.test(text)) fail(fileName, `gives ${what} no whole-number ${name}`);
  return Number(text);
}

function text(block: string, path: string[]): string | null {
  let inner = block;
  for (const element of path) {
    const match = new RegExp(`<${element}\\b[^>]*>([\\s\\S]*?)</${element}>`).exec(inner);
    if (!match) return null;
    inner = match[1]!;
  }
  return decodeEntities(inner).trim();
}

function firstTag(block: string, element: string): string | undefined {
  return new RegExp(`<${element}\\b[^>]*>`).exec(block)?.[0];
}

function decodeBarcode(value: string): string {
  try {
    const bytes = Uint8Array.from(atob(value.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return value;
  }
}

/** The default namespace of the root element, when it is Leica's. */
function leicaNamespace(xml: string): string | undefined {
  const root = /<(?!\?|!)[^>]*>/.exec(xml)?.[0] ?? '';
  const namespace = attribute(root, 'xmlns');
  return NAMESPACES.find((ns) => ns === namespace);
}

function parseScn(xml: string, fileName: string): ScnCollection {
  const collectionMatch = /<collection\b[^>]*>([\s\S]*?)<\/collection>/.exec(xml);
  if (!collectionMatch) fail(fileName, 'has no collection');
  const collectionTag = firstTag(collectionMatch[0], 'collection')!;
  const width = integer(collectionTag, 'sizeX', fileName, 'the collection');
  const height = integer(collectionTag, 'sizeY', fileName, 'the collection');
  // 2010/10/01 stores the barcode Base64-encoded in an element; 2010/03/10 as an attribute (kept as it is).
  const barcodeElement = /<barcode\b[^>]*>([^<]*)<\/barcode>/.exec(collectionMatch[1]!)?.[1];
  const barcode = barcodeElement !== undefined ? decodeBarcode(decodeEntities(barcodeElement).trim()) : (attribute(collectionTag, 'barcode') ?? null);
  const images = [...collectionMatch[1]!.matchAll(/<image\b[\s\S]*?<\/image>/g)].map(([block], n): ScnImage => {
    const viewTag = firstTag(block, 'view');
    if (!viewTag) fail(fileName, `gives image ${n + 1} no view`);
    const what = `the view of image ${n + 1}`;
    const view = {
      width: integer(viewTag, 'sizeX', fileName, what),
      height: integer(viewTag, 'sizeY', fileName, what),
      x: integer(viewTag, 'offsetX', fileName, what),
      y: integer(viewTag, 'offsetY', fileName, what),
    };
    const pixels = /<pixels\b[\s\S]*?<\/pixels>/.exec(block)?.[0] ?? '';
    const dimensions = [...pixels.matchAll(/<dimension\b[^>]*>/g)]
      .map(([tag]) => tag)
      .filter((tag) => (attribute(tag, 'z') ?? '0') === '0' && (attribute(tag, 'c') ?? '0') === '0')
      .map((tag) => ({
        ifd: integer(tag, 'ifd', fileName, `a dimension of image ${n + 1}`),
        width: integer(tag, 'sizeX', fileName, `a dimension of image ${n + 1}`),
        height: integer(tag, 'sizeY', fileName, `a dimension of image ${n + 1}`),
      }))
      .sort((a, b) => b.width - a.width);
    const device = firstTag(block, 'device') ?? '';
    return {
      name: attribute(firstTag(block, 'image')!, 'name') ?? `image ${n + 1}`,
      dimensions,
      view,
      isMacro: view.x === 0 && view.y === 0 && view.width === width && view.height === height,
      illumination: text(block, ['scanSettings', 'illuminationSettings', 'illuminationSource']),
      objective: text(block, ['scanSettings', 'objectiveSettings', 'objective']),
      aperture: text(block, ['scanSettings', 'illuminationSettings', 'numericalAperture']),
      creationDate: text(block, ['creationDate']),
      deviceModel: attribute(device, 'model') ?? null,
      deviceVersion: attribute(device, 'version') ?? null,
    };
  });
  if (images.length === 0) fail(fileName, 'lists no image');
  return { width, height, barcode, images };
}

/** One main image's page at one level, and where OpenSlide puts its top-left pixel (level pixels, collection space). */
interface Area {
  page: TiffPage;
  offsetX: number;
  offsetY: number;
}

interface ScnPlan {
  collection: ScnCollection;
  mains: ScnImage[];
  macro: ScnImage | undefined;
  /** Per level: each main image's page and offset, in the XML's order. */
  areas: Area[][];
  nmPerPixel: number[];
  downsamples: number[];
  /** The regions' bounding box at level 0, in OpenSlide's (collection) coordinates. */
  bounds: { x: number; y: number; width: number; height: number };
}

/** What OpenSlide's leica driver builds from the XML: levels, each main image's page and offset per level. */
function plan(file: TiffPages): ScnPlan {
  const name = file.name;
  const collection = parseScn(file.pages[0]!.description ?? '', name);
  const brightfield = (image: ScnImage) => image.illumination === 'brightfield';
  const mains = collection.images.filter((image) => !image.isMacro && brightfield(image));
  if (mains.length === 0) {
    if (collection.images.some((image) => !image.isMacro)) {
      throw new SlideError(
        `${name} is a Leica SCN slide with no brightfield image (its scans are ${collection.images.find((image) => !image.isMacro)!.illumination ?? 'of an unnamed illumination'}); PathoLens, like OpenSlide, shows brightfield SCN slides only.`,
      );
    }
    fail(name, 'names no main image besides the macro image');
  }
  const first = mains[0]!;
  if (first.dimensions.length === 0) fail(name, `lists no resolution for the main image "${first.name}"`);
  for (const image of mains) {
    if (image.objective !== first.objective || image.dimensions.length !== first.dimensions.length) {
      throw new SlideError(
        `${name} is a Leica SCN slide whose scanned regions differ (objective ${first.objective ?? '?'} with ${first.dimensions.length} levels, and ${image.objective ?? '?'} with ${image.dimensions.length}), so they cannot be shown as one slide.`,
      );
    }
  }
  const byIfd = (ifd: number): TiffPage => {
    const page = file.pages.find((p) => p.index === ifd);
    if (!page) fail(name, `names image directory ${ifd}, which the file does not have (or cannot read)`);
    return page;
  };
  const nmPerPixel = first.dimensions.map((_, k) => {
    const reference = first.view.width / first.dimensions[k]!.width;
    let nm = reference;
    for (const image of mains) {
      const value = image.view.width / image.dimensions[k]!.width;
      if (!(value > 0 && Number.isFinite(value))) fail(name, `gives the main image "${image.name}" an empty size`);
      // OpenSlide: "Inconsistent main image resolutions" below 98 % similarity.
      if (1 - Math.abs(value - reference) / reference < 0.98) {
        throw new SlideError(`${name} is a Leica SCN slide whose scanned regions have different resolutions, so they cannot be shown as one slide.`);
      }
      nm = Math.min(nm, value);
    }
    return nm;
  });
  // OpenSlide's level sizes cover the collection; its downsamples follow from them.
  const collectionWidth = nmPerPixel.map((nm) => Math.ceil(collection.width / nm));
  const collectionHeight = nmPerPixel.map((nm) => Math.ceil(collection.height / nm));
  const downsamples = nmPerPixel.map((_, k) => (k === 0 ? 1 : (collectionHeight[0]! / collectionHeight[k]! + collectionWidth[0]! / collectionWidth[k]!) / 2));
  const areas = nmPerPixel.map((nm, k) =>
    mains.map((image) => ({ page: byIfd(image.dimensions[k]!.ifd), offsetX: Math.trunc(image.view.x / nm), offsetY: Math.trunc(image.view.y / nm) })),
  );
  const level0 = areas[0]!;
  const x = Math.min(...level0.map((a) => a.offsetX));
  const y = Math.min(...level0.map((a) => a.offsetY));
  const width = Math.max(...level0.map((a) => a.offsetX + a.page.width)) - x;
  const height = Math.max(...level0.map((a) => a.offsetY + a.page.height)) - y;
  if (!(width <= MAX_SIDE && height <= MAX_SIDE && downsamples.every((d) => d >= 1 && Number.isFinite(d)))) {
    fail(name, `places its ${mains.length} scanned regions ${width} x ${height} pixels apart, more than any real slide`);
  }
  const macros = collection.images.filter((image) => image.isMacro && brightfield(image) && image.dimensions.length > 0);
  return { collection, mains, macro: macros[0], areas, nmPerPixel, downsamples, bounds: { x, y, width, height } };
}

/**
 * The pieces of a level with several regions: every stored tile of each region's page, in the XML's order (OpenSlide
 * paints the regions in that order, a later one over an earlier one), at the position OpenSlide's paint_region gives
 * it when reading from the bounding box's origin: -(trunc(bounds.x / downsample - offset)).
 */
function placement(scn: ScnPlan, k: number, width: number, height: number): LevelPlacement {
  const downsample = scn.downsamples[k]!;
  const pieces: PlacedPiece[] = [];
  scn.areas[k]!.forEach((area, source) => {
    const left = -Math.trunc(scn.bounds.x / downsample - area.offsetX);
    const top = -Math.trunc(scn.bounds.y / downsample - area.offsetY);
    const { page } = area;
    for (let row = 0; row < page.rows; row++) {
      for (let column = 0; column < page.columns; column++) {
        pieces.push({
          source,
          column,
          row,
          srcX: 0,
          srcY: 0,
          width: page.blockWidth,
          height: page.blockHeight,
          x: left + column * page.blockWidth,
          y: top + row * page.blockHeight,
        });
      }
    }
  });
  return { width, height, pieces };
}

export const leicaScn: TiffFormat = {
  format: 'leica-scn',

  // OpenSlide's test: the first page is tiled and its description is XML in one of Leica's namespaces.
  detect: ({ pages }) => pages[0]?.index === 0 && pages[0].tiled && leicaNamespace(pages[0].description ?? '') !== undefined,

  layout(file) {
    const scn = plan(file);
    const associated: TiffLayout['associated'] = {};
    const macroPage = scn.macro ? file.pages.find((page) => page.index === scn.macro!.dimensions[0]!.ifd) : undefined;
    if (macroPage) associated.macro = macroPage;
    const levels = scn.areas.map((areas) => areas[0]!.page);
    if (scn.mains.length === 1) return { levels, associated };
    return { levels, associated, levelSources: scn.areas.map((areas) => areas.map((area) => area.page)) };
  },

  metadata(file): FormatMetadata {
    const scn = plan(file);
    const main = scn.mains[0]!;
    const properties: Record<string, string> = {};
    const set = (key: string, value: string | null) => {
      if (value !== null && value !== '') properties[key] = value;
    };
    set('leica.aperture', main.aperture);
    set('leica.barcode', scn.collection.barcode);
    set('leica.creation-date', main.creationDate);
    set('leica.device-model', main.deviceModel);
    set('leica.device-version', main.deviceVersion);
    set('leica.illumination-source', main.illumination);
    set('leica.objective', main.objective);
    // Where PathoLens's level 0 lies in OpenSlide's coordinates (its openslide.bounds-* and openslide.region[n].*).
    const { bounds } = scn;
    set('leica.bounds-x', String(bounds.x));
    set('leica.bounds-y', String(bounds.y));
    set('leica.bounds-width', String(bounds.width));
    set('leica.bounds-height', String(bounds.height));
    set('leica.region-count', String(scn.mains.length));
    scn.areas[0]!.forEach((area, n) => {
      set(`leica.region[${n}].x`, String(area.offsetX));
      set(`leica.region[${n}].y`, String(area.offsetY));
      set(`leica.region[${n}].width`, String(area.page.width));
      set(`leica.region[${n}].height`, String(area.page.height));
    });
    // The view is in nanometres; nm per pixel of the densest region at level 0, as OpenSlide lays the levels out.
    const mpp = plausibleMpp(scn.nmPerPixel[0]! / 1000);
    const objective = parseDecimal(main.objective);
    const base: FormatMetadata = {
      vendor: 'Leica',
      mppX: mpp,
      mppY: mpp,
      objectivePower: objective !== null && objective > 0 ? objective : null,
      properties,
    };
    if (scn.mains.length === 1) return base;
    const levelGeometry = scn.downsamples.map((downsample) => ({
      width: Math.max(1, Math.ceil(bounds.width / downsample)),
      height: Math.max(1, Math.ceil(bounds.height / downsample)),
      downsample,
    }));
    return { ...base, levelGeometry, levelPlacement: levelGeometry.map((g, k) => placement(scn, k, g.width, g.height)) };
  },
};
