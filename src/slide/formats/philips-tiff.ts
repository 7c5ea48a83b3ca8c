/**
 * Philips TIFF (IntelliSite export): page 0's description is an XML DataObject of ObjectType "DPUfsImport" with
 * DICOM-named attributes. The tiled pages are the pyramid; their sizes are whole tiles (padding included), so
 * the levels' sizes and downsamples come from level 0 and each level's DICOM_PIXEL_SPACING, as OpenSlide does.
 * Tiles outside the scanned regions have no bytes (white glass); label and macro are the pages whose
 * descriptions start with "Label" / "Macro".
 */
import { parseDecimal, plausibleMpp } from '../slide-numbers';
import type { TiffPage } from '../tiff-pages';
import { associatedKind, type FormatMetadata, type TiffFormat, type TiffLayout } from './tiff-format';

function isPhilipsXml(description: string | undefined): boolean {
  return /<DataObject\s+ObjectType="DPUfsImport"/.test(description ?? '');
}

/** Text of each `<Attribute Name="NAME" …>value</Attribute>` (nested DataObjects included), in document order. */
function attributes(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<Attribute\\s+Name="${name}"[^>]*>([^<]*)</Attribute>`, 'g'))].map((match) => match[1]!.trim());
}

/** DICOM_PIXEL_SPACING as written by Philips: `"0.00025" "0.00025"` (mm, row then column), XML-escaped. */
function spacing(value: string | undefined): [number, number] | null {
  const numbers = (value ?? '')
    .replace(/&quot;|"/g, ' ')
    .trim()
    .split(/\s+/)
    .map(parseDecimal);
  return numbers.length === 2 && numbers.every((n) => n !== null && n > 0) ? [numbers[0]!, numbers[1]!] : null;
}

/** Each level's pixel spacing, from the PixelDataRepresentation objects in their order. */
function levelSpacings(xml: string): [number, number][] {
  return attributes(xml, 'DICOM_PIXEL_SPACING')
    .slice(1) // the first is the scanned image's own (level 0)
    .map(spacing)
    .filter((s): s is [number, number] => s !== null);
}

export const philipsTiff: TiffFormat = {
  format: 'philips-tiff',

  detect: ({ pages }) => pages[0]?.index === 0 && isPhilipsXml(pages[0].description),

  layout(file) {
    const base = file.pages[0]!;
    const levels: TiffPage[] = [base];
    const associated: TiffLayout['associated'] = {};
    for (const page of file.pages.slice(1)) {
      const kind = associatedKind(page);
      if (kind) associated[kind] ??= page;
      else if (page.tiled && page.width < levels[levels.length - 1]!.width) levels.push(page);
    }
    return { levels, associated };
  },

  metadata(file, layout): FormatMetadata {
    const xml = file.pages[0]!.description ?? '';
    const base = spacing(attributes(xml, 'DICOM_PIXEL_SPACING')[0]);
    const properties: Record<string, string> = {};
    for (const match of xml.matchAll(/<Attribute\s+Name="([A-Z0-9_]+)"[^>]*>([^<]{1,200})<\/Attribute>/g)) {
      properties[`philips.${match[1]}`] ??= match[2]!.replace(/&quot;/g, '"').trim();
    }
    const spacings = levelSpacings(xml);
    const level0 = layout.levels[0]!;
    // Downsamples from the spacings when every level has one; level sizes = level 0's / downsample (OpenSlide).
    const geometry =
      base && spacings.length >= layout.levels.length
        ? layout.levels.map((page, k) => {
            const downsample = k === 0 ? 1 : spacings[k]![1] / spacings[0]![1];
            return {
              width: Math.min(page.width, Math.round(level0.width / downsample)),
              height: Math.min(page.height, Math.round(level0.height / downsample)),
              downsample,
            };
          })
        : undefined;
    return {
      vendor: 'Philips',
      mppX: plausibleMpp(base ? base[1] * 1000 : null),
      mppY: plausibleMpp(base ? base[0] * 1000 : null),
      objectivePower: null,
      properties,
      levelGeometry: geometry,
    };
  },
};
