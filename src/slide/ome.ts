/**
 * The bits of OME-XML (OME-TIFF ImageDescription) the viewer needs: physical pixel size with its unit, the
 * objective's magnification, the channels (name, colour) and which IFD holds which plane. Attribute scanning
 * without a DOM, so it runs in Node and workers too.
 */
import { parseDecimal, plausibleMpp } from './slide-numbers';
import { MAX_IFDS } from './tiff-structure';

const MICRONS_PER: Record<string, number> = {
  µm: 1,
  μm: 1,
  um: 1,
  micron: 1,
  nm: 1e-3,
  Å: 1e-4,
  mm: 1e3,
  cm: 1e4,
  m: 1e6,
  pm: 1e-6,
};

export interface OmeChannel {
  name: string | null;
  /** Display colour (OME Color: signed 32-bit RGBA); null when absent. */
  color: [number, number, number] | null;
  samplesPerPixel: number;
}

export interface OmeMetadata {
  mppX: number | null;
  mppY: number | null;
  objectivePower: number | null;
  /** Channels of the first image (the main one). */
  channels: OmeChannel[];
  /** The IFD holding the plane of channel c at Z = 0, T = 0, or null when the XML does not say. */
  channelIfd(c: number): number | null;
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

function allElements(xml: string, name: string): Record<string, string>[] {
  return [...xml.matchAll(new RegExp(`<(?:\\w+:)?${name}\\b([^>]*)>`, 'g'))].map((match) => attributes(match[1] ?? ''));
}

function colorOf(value: string | undefined): [number, number, number] | null {
  const rgba = value === undefined || value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(rgba)) return null;
  return [(rgba >>> 24) & 255, (rgba >>> 16) & 255, (rgba >>> 8) & 255];
}

/** Plane number of (c, z, t) under a DimensionOrder such as "XYCZT" (the first letter after XY varies fastest). */
function planeIndexer(order: string, sizes: Record<'C' | 'Z' | 'T', number>): (c: number, z: number, t: number) => number {
  const axes = (/^XY([CZT]{3})$/.test(order) ? order.slice(2) : 'CZT').split('') as ('C' | 'Z' | 'T')[];
  return (c, z, t) => {
    const at = { C: c, Z: z, T: t };
    let index = 0;
    let stride = 1;
    for (const axis of axes) {
      index += at[axis] * stride;
      stride *= sizes[axis];
    }
    return index;
  };
}

/** IFD per plane from the TiffData elements (IFD, FirstC/Z/T, PlaneCount; defaults per the OME schema). */
function planeIfds(pixelsXml: string, plane: (c: number, z: number, t: number) => number, planeCount: number): Map<number, number> {
  const map = new Map<number, number>();
  for (const data of allElements(pixelsXml, 'TiffData')) {
    const int = (key: string) => (data[key] !== undefined && /^\d+$/.test(data[key]) ? Number(data[key]) : undefined);
    const ifd = int('IFD') ?? 0;
    const start = plane(int('FirstC') ?? 0, int('FirstZ') ?? 0, int('FirstT') ?? 0);
    const unplaced = ['IFD', 'FirstC', 'FirstZ', 'FirstT'].every((key) => data[key] === undefined);
    // No file has more IFDs than tiff-structure.ts accepts: a crafted SizeZ cannot make this loop long.
    const count = Math.min(int('PlaneCount') ?? (unplaced ? planeCount : 1), MAX_IFDS);
    for (let k = 0; k < count && start + k < planeCount; k++) map.set(start + k, ifd + k);
  }
  return map;
}

export function parseOmeXml(xml: string): OmeMetadata {
  const pixelsXml = /<(?:\w+:)?Pixels\b[\s\S]*?(<\/(?:\w+:)?Pixels>|$)/.exec(xml)?.[0] ?? '';
  const pixels = firstElement(xml, 'Pixels') ?? {};
  const objective = firstElement(xml, 'Objective') ?? {};
  const properties: Record<string, string> = {};
  for (const key of ['PhysicalSizeX', 'PhysicalSizeXUnit', 'PhysicalSizeY', 'PhysicalSizeYUnit', 'SizeX', 'SizeY', 'SizeC', 'SizeZ', 'SizeT', 'Type']) {
    if (pixels[key] !== undefined) properties[`ome.Pixels.${key}`] = pixels[key];
  }
  if (objective.NominalMagnification !== undefined) properties['ome.Objective.NominalMagnification'] = objective.NominalMagnification;
  const power = parseDecimal(objective.NominalMagnification);
  const size = (key: string) => Math.max(1, Number.parseInt(pixels[key] ?? '1', 10) || 1);
  const sizes = { C: size('SizeC'), Z: size('SizeZ'), T: size('SizeT') };
  const plane = planeIndexer(pixels.DimensionOrder ?? 'XYCZT', sizes);
  const ifds = planeIfds(pixelsXml, plane, sizes.C * sizes.Z * sizes.T);
  const channels = allElements(pixelsXml, 'Channel').map((channel) => ({
    name: channel.Name ?? null,
    color: colorOf(channel.Color),
    samplesPerPixel: Math.max(1, Number.parseInt(channel.SamplesPerPixel ?? '1', 10) || 1),
  }));
  return {
    channels,
    channelIfd: (c) => ifds.get(plane(c, 0, 0)) ?? null,
    mppX: physicalSize(pixels.PhysicalSizeX, pixels.PhysicalSizeXUnit),
    mppY: physicalSize(pixels.PhysicalSizeY, pixels.PhysicalSizeYUnit),
    objectivePower: power !== null && power > 0 ? power : null,
    properties,
  };
}
