/**
 * The bits of OME-XML (OME-TIFF ImageDescription) the viewer needs: physical pixel size with its unit and the
 * objective's magnification. Attribute scanning without a DOM, so it runs in Node and workers too.
 */
import { parseDecimal, plausibleMpp } from './slide-numbers';

const MICRONS_PER: Record<string, number> = {
  'µm': 1, 'μm': 1, um: 1, micron: 1, nm: 1e-3, 'Å': 1e-4, mm: 1e3, cm: 1e4, m: 1e6, pm: 1e-6,
};

export interface OmeMetadata {
  mppX: number | null;
  mppY: number | null;
  objectivePower: number | null;
  properties: Record<string, string>;
}

export function isOmeXml(description: string | undefined): boolean {
  return description !== undefined && /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<(\w+:)?OME[\s>]/.test(description);
}

function attributes(element: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of element.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    out[match[1]!] = match[3] ?? match[4] ?? '';
  }
  return out;
}

function firstElement(xml: string, name: string): Record<string, string> | null {
  const match = new RegExp(`<(?:\\w+:)?${name}\\b([^>]*)>`).exec(xml);
  return match ? attributes(match[1] ?? '') : null;
}

function physicalSize(value: string | undefined, unit: string | undefined): number | null {
  const size = parseDecimal(value);
  if (size === null) return null;
  const factor = MICRONS_PER[unit ?? 'µm'];
  return factor === undefined ? null : plausibleMpp(size * factor);
}

export function parseOmeXml(xml: string): OmeMetadata {
  const pixels = firstElement(xml, 'Pixels') ?? {};
  const objective = firstElement(xml, 'Objective') ?? {};
  const properties: Record<string, string> = {};
  for (const key of ['PhysicalSizeX', 'PhysicalSizeXUnit', 'PhysicalSizeY', 'PhysicalSizeYUnit', 'SizeX', 'SizeY', 'SizeC', 'SizeZ', 'SizeT', 'Type']) {
    if (pixels[key] !== undefined) properties[`ome.Pixels.${key}`] = pixels[key];
  }
  if (objective.NominalMagnification !== undefined) properties['ome.Objective.NominalMagnification'] = objective.NominalMagnification;
  const power = parseDecimal(objective.NominalMagnification);
  return {
    mppX: physicalSize(pixels.PhysicalSizeX, pixels.PhysicalSizeXUnit),
    mppY: physicalSize(pixels.PhysicalSizeY, pixels.PhysicalSizeYUnit),
    objectivePower: power !== null && power > 0 ? power : null,
    properties,
  };
}
