/**
 * Which images are shown as channels rather than as colour pixels, and where each channel's samples are:
 * fluorescence channels stored as separate pages (OME-TIFF), and single images whose samples are not 8-bit
 * unsigned (12- or 16-bit data, signed values), which a plain 8-bit conversion would show black or wrong.
 */
import { defaultChannelColor, type Rgb } from './channel-composite';
import type { TiffLayout } from './formats';
import type { TiffPage } from './tiff-pages';

export interface ChannelPlan {
  names: string[];
  colors: Rgb[];
  /** Per pyramid level, the pages holding the channels. */
  pagesPerLevel: TiffPage[][];
  /** 'pages': channel c is page c of its level; 'samples': channel c is sample c of the level's one page. */
  storage: 'pages' | 'samples';
  /** One window for all channels: RGB data of more than 8 bits, whose white must stay white. */
  sharedWindow: boolean;
}

function isPlain8Bit(page: TiffPage): boolean {
  return page.codec.bitsPerSample === 8 && page.codec.sampleFormat !== 2;
}

export function planChannels(layout: TiffLayout): ChannelPlan | null {
  const { channels, levels } = layout;
  // Channel pages are decoded with the first one's codec: they must share it (they do in every writer we know).
  const sameCodec = (page: TiffPage, first: TiffPage) =>
    (['compression', 'bitsPerSample', 'sampleFormat', 'predictor', 'planar', 'samplesPerPixel'] as const).every(
      (key) => page.codec[key] === first.codec[key],
    ) &&
    page.blockWidth === first.blockWidth &&
    page.blockHeight === first.blockHeight &&
    page.tiled === first.tiled;
  if (channels && channels.every((c) => c.levels.every((page, k) => sameCodec(page, channels[0]!.levels[k]!)))) {
    return {
      names: channels.map((c) => c.name),
      colors: channels.map((c, i) => c.color ?? defaultChannelColor(i, channels.length)),
      pagesPerLevel: levels.map((_, k) => channels.map((c) => c.levels[k]!)),
      storage: 'pages',
      sharedWindow: false,
    };
  }
  const base = levels[0]!;
  if (isPlain8Bit(base) || [3, 6].includes(base.codec.photometric) || base.codec.compression === 7) return null;
  const spp = base.codec.samplesPerPixel;
  const rgb = base.codec.photometric === 2 && spp >= 3;
  if (!rgb && spp !== 1) return null;
  return {
    names: rgb ? ['Red', 'Green', 'Blue'] : ['Intensity'],
    colors: rgb
      ? [
          [255, 0, 0],
          [0, 255, 0],
          [0, 0, 255],
        ]
      : [defaultChannelColor(0, 1)],
    pagesPerLevel: levels.map((page) => [page]),
    storage: 'samples',
    sharedWindow: rgb,
  };
}
