/**
 * OME-TIFF (bfconvert, tifffile, QuPath, Glencoe's raw2ometiff): OME-XML in the first page's description,
 * reduced levels in SubIFDs. Fluorescence images store each channel as its own page; the XML's TiffData says
 * which IFD holds which channel, and its Channel elements give names and colours.
 */
import { isOmeXml, parseOmeXml, type OmeMetadata } from '../ome';
import type { TiffPage } from '../tiff-pages';
import { continuesPyramid, pyramidFrom, type ChannelPages, type TiffFormat, type TiffPages } from './tiff-format';

/** A page and those of its SubIFDs that continue its pyramid. */
function pyramidOf(file: TiffPages, base: TiffPage): TiffPage[] {
  const levels = [base];
  for (const page of file.subPages(base)) if (page.tiled === base.tiled && continuesPyramid(page, base, levels[levels.length - 1]!)) levels.push(page);
  return levels;
}

/**
 * Each single-sample channel's pyramid, when there are several and all are found with the same geometry;
 * null otherwise (one channel, RGB samples, or an XML that does not say where the planes are).
 */
function channelPyramids(file: TiffPages, ome: OmeMetadata): ChannelPages[] | null {
  const base = file.pages[0]!;
  if (ome.channels.length < 2 || base.codec.samplesPerPixel !== 1 || ome.channels.some((c) => c.samplesPerPixel !== 1)) return null;
  const channels: ChannelPages[] = [];
  for (const [c, channel] of ome.channels.entries()) {
    const ifd = ome.channelIfd(c);
    const page = file.pages.find((p) => p.index === ifd);
    if (!page || page.width !== base.width || page.height !== base.height) return null;
    channels.push({ name: channel.name ?? `Channel ${c + 1}`, color: channel.color, levels: pyramidOf(file, page) });
  }
  const depth = Math.min(...channels.map((c) => c.levels.length));
  for (const channel of channels) {
    channel.levels = channel.levels.slice(0, depth);
    if (channel.levels.some((page, k) => page.width !== channels[0]!.levels[k]!.width || page.height !== channels[0]!.levels[k]!.height)) return null;
  }
  return channels;
}

export const omeTiff: TiffFormat = {
  format: 'ome-tiff',

  detect: ({ pages }) => pages[0]?.index === 0 && isOmeXml(pages[0].description),

  layout(file) {
    const base = file.pages[0]!;
    const layout = pyramidFrom(file, base);
    const channels = channelPyramids(file, parseOmeXml(base.description ?? ''));
    return channels ? { ...layout, levels: channels[0]!.levels, channels } : layout;
  },

  metadata(file) {
    const ome = parseOmeXml(file.pages[0]!.description ?? '');
    return { vendor: 'OME', mppX: ome.mppX, mppY: ome.mppY ?? ome.mppX, objectivePower: ome.objectivePower, properties: ome.properties };
  },
};
