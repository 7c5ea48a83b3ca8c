/**
 * What a TIFF-based slide format module provides (one module per vendor, as OpenSeadragon's TileSource
 * `supports()` / viv's one loader per format): whether it reads a file, which pages form the pyramid and which
 * are the label / macro / thumbnail, and the vendor's metadata. A new format is one new module in index.ts.
 */
import type { AssociatedImageName, SlideFormat } from '../slide-source';
import type { TiffPage } from '../tiff-pages';
import type { LevelPlacement } from '../tile-placement';

/** The pages of an opened TIFF, as format modules see them. */
export interface TiffPages {
  name: string;
  /** Top-level pages in file order (unreadable ones left out; `page.index` is the IFD number). */
  pages: TiffPage[];
  /** The SubIFD pages of a page (reduced levels in OME-TIFF), in the order they are listed. */
  subPages(page: TiffPage): TiffPage[];
  /** A tag's text, e.g. XMP (700), read on demand. */
  text(page: TiffPage, tag: number): Promise<string | undefined>;
}

/** One channel stored as its own pages (fluorescence OME-TIFF): its name, colour and pyramid. */
export interface ChannelPages {
  name: string;
  /** Display colour from the file; null when the file gives none. */
  color: [number, number, number] | null;
  /** This channel's page for each pyramid level (same geometry as `TiffLayout.levels`). */
  levels: TiffPage[];
}

export interface TiffLayout {
  /** The main image's pyramid, full resolution first. */
  levels: TiffPage[];
  associated: Partial<Record<AssociatedImageName, TiffPage>>;
  /** Present when the channels are stored as separate pages (then `levels` is the first channel's). */
  channels?: ChannelPages[];
  /**
   * Present when a level is painted from several pages (Leica SCN's scanned regions): each level's pages, the
   * first being `levels[k]`; the level's `levelPlacement` pieces name them by `source`.
   */
  levelSources?: TiffPage[][];
}

export interface FormatMetadata {
  vendor: string | null;
  mppX: number | null;
  mppY: number | null;
  objectivePower: number | null;
  properties: Record<string, string>;
  /**
   * Each level's size and downsample when the pages' own sizes do not say them (Philips pads every level to
   * whole tiles); default: the page sizes, downsample = level-0 width / page width.
   */
  levelGeometry?: { width: number; height: number; downsample: number }[];
  /**
   * Levels whose pixels are parts of the page's tiles placed elsewhere (Ventana BIF's overlapping camera tiles),
   * with `levelGeometry` giving their sizes; the level's tiles are then painted from the placement.
   */
  levelPlacement?: LevelPlacement[];
}

export interface TiffFormat {
  readonly format: SlideFormat;
  /** Whether this module reads the file (cheap: descriptions and page shapes only). */
  detect(file: TiffPages): boolean;
  layout(file: TiffPages): TiffLayout;
  metadata(file: TiffPages, layout: TiffLayout): FormatMetadata | Promise<FormatMetadata>;
}

/** A page continues the pyramid when it is smaller and has level 0's shape (within rounding). */
export function continuesPyramid(page: TiffPage, base: TiffPage, previous: TiffPage): boolean {
  if (page.width >= previous.width || page.height >= previous.height) return false;
  if (page.codec.samplesPerPixel !== base.codec.samplesPerPixel) return false;
  const ds = base.width / page.width;
  return Math.abs(base.height / ds - page.height) <= Math.max(2, page.height * 0.02);
}

/** What a page's description says it is ("label", "macro", "thumbnail"), if anything. */
export function associatedKind(page: TiffPage): AssociatedImageName | null {
  const text = (page.description ?? '').toLowerCase();
  if (/\blabel\b/.test(text)) return 'label';
  if (/\bmacro\b/.test(text)) return 'macro';
  if (/\bthumbnail\b/.test(text)) return 'thumbnail';
  return null;
}

/**
 * The generic layout: level 0 is `base`; reduced levels are its SubIFDs when it has some, otherwise the pages
 * after it; pages named by their description are associated images, and a stripped page of the slide's shape
 * is its thumbnail.
 */
export function pyramidFrom(file: TiffPages, base: TiffPage): TiffLayout {
  const levels = [base];
  const associated: TiffLayout['associated'] = {};
  const subPages = file.subPages(base);
  const candidates = subPages.length > 0 ? subPages : file.pages.filter((page) => page.index > base.index);
  for (const page of candidates) {
    const kind = associatedKind(page);
    if (kind) associated[kind] ??= page;
    else if (page.tiled === base.tiled && continuesPyramid(page, base, levels[levels.length - 1]!)) levels.push(page);
    else if (!page.tiled && !associated.thumbnail && continuesPyramid(page, base, base)) associated.thumbnail = page;
  }
  for (const page of file.pages) {
    if (page === base || candidates.includes(page)) continue;
    const kind = associatedKind(page);
    if (kind) associated[kind] ??= page;
  }
  return { levels, associated };
}
