/**
 * Ventana / Roche BIF (iScan, DP 200): the label ("Label Image" or "Label_Image") and the thumbnail come before
 * the pyramid, whose pages say "level=N mag=M quality=Q"; scan resolution and magnification are in the iScan
 * element of the XMP (tag 700). When the level-0 page's XMP has stitching information (EncodeInfo), the camera
 * tiles overlap and every level is placed from it as OpenSlide does (bif-stitching.ts); a slide whose stitching
 * information cannot be followed is refused with a sentence, never shown with its overlaps doubled.
 */
import { parseDecimal, plausibleMpp } from '../slide-numbers';
import { SlideError } from '../slide-source';
import type { TiffPage } from '../tiff-pages';
import type { LevelPlacement } from '../tile-placement';
import { hasBifStitching, isPlainGrid, parseBifStitching, placeBifLevel } from './bif-stitching';
import type { FormatMetadata, TiffFormat, TiffLayout, TiffPages } from './tiff-format';

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
    const placed = await placeLevels(file, layout);
    return {
      vendor: 'Ventana',
      mppX: mpp,
      mppY: mpp,
      objectivePower: power !== null && power > 0 ? power : null,
      properties,
      ...(placed ? { levelGeometry: placed.geometry, levelPlacement: placed.placements } : {}),
    };
  },
};

/** Each level placed from the level-0 stitching information; null when the tiles abut (the pages are the levels). */
async function placeLevels(
  file: TiffPages,
  layout: TiffLayout,
): Promise<{ geometry: NonNullable<FormatMetadata['levelGeometry']>; placements: LevelPlacement[] } | null> {
  const base = layout.levels[0]!;
  const xmp = await file.text(base, XMP_TAG);
  if (!hasBifStitching(xmp)) return null;
  const stitching = parseBifStitching(xmp, file.name, base);
  if (isPlainGrid(stitching)) return null;
  const baseMag = parseDecimal(LEVEL.exec(base.description ?? '')?.[2]);
  const geometry: NonNullable<FormatMetadata['levelGeometry']> = [];
  const placements: LevelPlacement[] = [];
  for (const page of layout.levels) {
    const mag = parseDecimal(LEVEL.exec(page.description ?? '')?.[2]);
    const downsample = baseMag !== null && mag !== null && mag > 0 ? baseMag / mag : NaN;
    const refuse = (what: string): never => {
      throw new SlideError(
        `${file.name} is a Ventana BIF slide whose camera tiles overlap, but ${what}; PathoLens cannot place the tiles of that level, so it does not show the slide.`,
      );
    };
    if (!Number.isInteger(downsample) || downsample < 1 || downsample > 65536) {
      refuse(`level ${levelOf(page)} says mag=${LEVEL.exec(page.description ?? '')?.[2]} against level 0's ${baseMag}, not a whole downsample`);
    }
    if (page.blockWidth !== base.blockWidth || page.blockHeight !== base.blockHeight || !page.tiled) {
      refuse(`level ${levelOf(page)} is not tiled like level 0 (${base.blockWidth} x ${base.blockHeight} px tiles)`);
    }
    const placement = placeBifLevel(stitching, downsample, page);
    geometry.push({ width: placement.width, height: placement.height, downsample });
    placements.push(placement);
  }
  return { geometry, placements };
}
