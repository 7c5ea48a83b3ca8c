/**
 * The TIFF-based slide formats, most specific first; the generic reader takes whatever no vendor module claims.
 * Adding a format = adding its module here.
 */
import { aperioSvs } from './aperio-svs';
import { genericTiff } from './generic-tiff';
import { leicaScn } from './leica-scn';
import { omeTiff } from './ome-tiff';
import { philipsTiff } from './philips-tiff';
import type { TiffFormat, TiffPages } from './tiff-format';
import { ventanaBif } from './ventana-bif';

export const TIFF_FORMATS: readonly TiffFormat[] = [aperioSvs, omeTiff, leicaScn, ventanaBif, philipsTiff, genericTiff];

export function detectTiffFormat(file: TiffPages): TiffFormat {
  return TIFF_FORMATS.find((format) => format.detect(file)) ?? genericTiff;
}

export type { ChannelPages, FormatMetadata, TiffFormat, TiffLayout, TiffPages } from './tiff-format';
