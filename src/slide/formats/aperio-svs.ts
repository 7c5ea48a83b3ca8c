/**
 * Aperio SVS: the first page is tiled with an ImageDescription starting "Aperio"; reduced levels follow as
 * tiled pages, the second page (in strips) is the thumbnail, then label (NewSubfileType 1) and macro (9).
 */
import { isAperioDescription, parseAperioDescription } from '../aperio';
import { associatedKind, continuesPyramid, type TiffFormat, type TiffLayout } from './tiff-format';

export const aperioSvs: TiffFormat = {
  format: 'aperio-svs',

  detect: ({ pages }) => pages[0]?.index === 0 && isAperioDescription(pages[0].description),

  layout(file) {
    const base = file.pages[0]!;
    const levels = [base];
    const associated: TiffLayout['associated'] = {};
    const subPages = file.subPages(base);
    for (const page of subPages.length > 0 ? subPages : file.pages.slice(1)) {
      const kind = associatedKind(page);
      if (page.index === 1 && !page.tiled) associated.thumbnail ??= page;
      else if (kind) associated[kind] ??= page;
      else if (page.newSubfileType === 9) associated.macro ??= page;
      else if (page.newSubfileType === 1 && !page.tiled) associated.label ??= page;
      else if (page.tiled === base.tiled && continuesPyramid(page, base, levels[levels.length - 1]!)) levels.push(page);
      else if (!page.tiled && !associated.thumbnail && continuesPyramid(page, base, base)) associated.thumbnail = page;
    }
    return { levels, associated };
  },

  metadata(file) {
    const aperio = parseAperioDescription(file.pages[0]!.description ?? '');
    const properties: Record<string, string> = {};
    for (const [key, value] of Object.entries(aperio.properties)) properties[`aperio.${key}`] = value;
    return { vendor: 'Aperio', mppX: aperio.mpp, mppY: aperio.mpp, objectivePower: aperio.appMag, properties };
  },
};
