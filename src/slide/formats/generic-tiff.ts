/**
 * Any other tiled or stripped TIFF (libvips, bfconvert without OME, cameras): the main image is the largest
 * page that its description does not call a label, macro or thumbnail — not necessarily the first page.
 */
import type { TiffPage } from '../tiff-pages';
import { associatedKind, pyramidFrom, type TiffFormat, type TiffPages } from './tiff-format';

/** The largest page that is not an associated image (the first of equal ones). */
export function mainImagePage(file: TiffPages): TiffPage {
  let best: TiffPage | null = null;
  for (const page of file.pages) {
    if (associatedKind(page)) continue;
    if (!best || page.width * page.height > best.width * best.height) best = page;
  }
  return best ?? file.pages[0]!;
}

export const genericTiff: TiffFormat = {
  format: 'tiff',
  detect: () => true,
  layout: (file) => pyramidFrom(file, mainImagePage(file)),
  metadata(_file, layout) {
    const base = layout.levels[0]!;
    const properties: Record<string, string> = {};
    if (base.description) properties['tiff.ImageDescription'] = base.description.slice(0, 2000);
    return { vendor: null, mppX: null, mppY: null, objectivePower: null, properties };
  },
};
