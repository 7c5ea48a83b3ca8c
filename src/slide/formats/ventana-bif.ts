/**
 * Ventana / Roche BIF (iScan, DP 200): the label ("Label Image" or "Label_Image") and the thumbnail come before
 * the pyramid, whose pages say "level=N mag=M quality=Q"; scan resolution and magnification are in the iScan
 * element of the XMP (tag 700).
 */
import { parseDecimal, plausibleMpp } from '../slide-numbers';
import type { TiffPage } from '../tiff-pages';
import type { TiffFormat, TiffLayout } from './tiff-format';

const XMP_TAG = 700;
const LEVEL = /^\s*level=(\d+)\s+mag=([\d.]+)/;

function levelOf(page: TiffPage): number | null {
  const match = LEVEL.exec(page.description ?? '');
  return match ? Number(match[1]) : null;
}

export const ventanaBif: TiffFormat = {
  format: 'ventana-bif',

  detect: ({ pages }) => pages.some((page) => levelOf(page) === 0),

  layout(file) {
    const levels = file.pages.filter((page) => levelOf(page) !== null).sort((a, b) => levelOf(a)! - levelOf(b)!);
    const associated: TiffLayout['associated'] = {};
    for (const page of file.pages) {
      const description = (page.description ?? '').toLowerCase();
      if (/^label[ _]image/.test(description)) associated.label ??= page;
      else if (/^thumbnail/.test(description)) associated.thumbnail ??= page;
    }
    return { levels, associated };
  },

  async metadata(file, layout) {
    const base = layout.levels[0]!;
    const properties: Record<string, string> = {};
    let mpp: number | null = null;
    let power = parseDecimal(LEVEL.exec(base.description ?? '')?.[2]);
    for (const page of [base, ...file.pages]) {
      const iScan = /<iScan\b[^>]*>/.exec((await file.text(page, XMP_TAG)) ?? '')?.[0];
      if (!iScan) continue;
      for (const match of iScan.matchAll(/(\w+)\s*=\s*"([^"]*)"/g)) properties[`ventana.${match[1]}`] = match[2]!;
      mpp = plausibleMpp(parseDecimal(properties['ventana.ScanRes']));
      power = parseDecimal(properties['ventana.Magnification']) ?? power;
      break;
    }
    return { vendor: 'Ventana', mppX: mpp, mppY: mpp, objectivePower: power !== null && power > 0 ? power : null, properties };
  },
};
