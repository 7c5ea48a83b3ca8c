/**
 * Leica SCN (SCN400, Aperio Versa): XML in the first page's description lists a collection of images, each
 * with the IFD of every resolution. The macro (overview) image comes first in the file; it is the image whose
 * view covers the whole collection (OpenSlide's rule), and the main image is the first other one.
 */
import { parseDecimal, plausibleMpp } from '../slide-numbers';
import type { TiffPage } from '../tiff-pages';
import type { TiffFormat, TiffLayout } from './tiff-format';

const SCN_NAMESPACE = 'leica-microsystems.com/scn';

interface ScnImage {
  /** IFD numbers of the resolutions, largest first (channel 0 / brightfield only). */
  ifds: number[];
  pixelsWidth: number;
  view: { width: number; height: number };
  objective: number | null;
  device: string | null;
}

function attribute(element: string, name: string): string | undefined {
  return new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`).exec(element)?.[1];
}

function number(value: string | undefined): number {
  return value === undefined ? NaN : Number(value);
}

function parseScn(xml: string): { collection: { width: number; height: number }; images: ScnImage[] } {
  const collectionTag = /<collection\b[^>]*>/.exec(xml)?.[0] ?? '';
  const images = [...xml.matchAll(/<image\b[\s\S]*?<\/image>/g)].map(([block]) => {
    const dimensions = [...block.matchAll(/<dimension\b[^>]*>/g)]
      .map(([tag]) => ({
        width: number(attribute(tag, 'sizeX')),
        ifd: number(attribute(tag, 'ifd')),
        channel: number(attribute(tag, 'c') ?? '0'),
        z: number(attribute(tag, 'z') ?? '0'),
      }))
      .filter((d) => d.channel === 0 && d.z === 0 && Number.isInteger(d.ifd))
      .sort((a, b) => b.width - a.width);
    const viewTag = /<view\b[^>]*>/.exec(block)?.[0] ?? '';
    const pixelsTag = /<pixels\b[^>]*>/.exec(block)?.[0] ?? '';
    return {
      ifds: dimensions.map((d) => d.ifd),
      pixelsWidth: number(attribute(pixelsTag, 'sizeX')),
      view: { width: number(attribute(viewTag, 'sizeX')), height: number(attribute(viewTag, 'sizeY')) },
      objective: parseDecimal(/<objective>([^<]*)<\/objective>/.exec(block)?.[1]),
      device: attribute(/<device\b[^>]*>/.exec(block)?.[0] ?? '', 'model') ?? null,
    };
  });
  return { collection: { width: number(attribute(collectionTag, 'sizeX')), height: number(attribute(collectionTag, 'sizeY')) }, images };
}

function mainAndMacro(xml: string): { main: ScnImage | undefined; macro: ScnImage | undefined } {
  const { collection, images } = parseScn(xml);
  const isMacro = (image: ScnImage) => image.view.width === collection.width && image.view.height === collection.height;
  return { main: images.find((image) => !isMacro(image) && image.ifds.length > 0), macro: images.find(isMacro) };
}

export const leicaScn: TiffFormat = {
  format: 'leica-scn',

  detect: ({ pages }) =>
    pages[0]?.index === 0 && (pages[0].description ?? '').includes(SCN_NAMESPACE) && mainAndMacro(pages[0].description!).main !== undefined,

  layout(file) {
    const { main, macro } = mainAndMacro(file.pages[0]!.description ?? '');
    const byIfd = (ifd: number | undefined): TiffPage | undefined => file.pages.find((page) => page.index === ifd);
    const levels = main!.ifds.map(byIfd).filter((page): page is TiffPage => page !== undefined);
    const associated: TiffLayout['associated'] = {};
    const macroPage = byIfd(macro?.ifds[0]);
    if (macroPage) associated.macro = macroPage;
    return { levels: levels.length > 0 ? levels : [file.pages[0]!], associated };
  },

  metadata(file) {
    const { main } = mainAndMacro(file.pages[0]!.description ?? '');
    const properties: Record<string, string> = {};
    if (main?.device) properties['leica.device-model'] = main.device;
    if (main?.objective) properties['leica.objective'] = String(main.objective);
    // The view is in nanometres; the main image's full-resolution pixels span it.
    const mpp = main ? plausibleMpp(main.view.width / main.pixelsWidth / 1000) : null;
    return { vendor: 'Leica', mppX: mpp, mppY: mpp, objectivePower: main?.objective ?? null, properties };
  },
};
