/**
 * Classes a region can be given (Tumor, Stroma, ...), each with a colour, as in QuPath. The default set and colours
 * are QuPath's own defaults, so regions exported from here look the same when opened there. Pure.
 */
export type Rgb = [number, number, number];

export interface RegionClass {
  name: string;
  color: Rgb;
  /** Regions of a hidden class are not drawn (the list still shows them). */
  hidden?: boolean;
}

export const DEFAULT_REGION_CLASSES: readonly RegionClass[] = [
  { name: 'Tumor', color: [200, 0, 0] },
  { name: 'Stroma', color: [150, 200, 150] },
  { name: 'Immune cells', color: [160, 90, 160] },
  { name: 'Necrosis', color: [50, 50, 50] },
  { name: 'Other', color: [255, 200, 0] },
  { name: 'Region*', color: [0, 0, 180] },
  { name: 'Ignore*', color: [180, 180, 180] },
];

/** Outline of a region without a class (a cyan that reads on H&E's pinks and purples). */
export const UNCLASSIFIED_COLOR: Rgb = [34, 211, 238];

export function rgbToHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

export function hexToRgb(hex: string): Rgb | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  return match ? [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)] : null;
}

/** QuPath before 0.4 wrote a class colour as one packed integer (colorRGB, ARGB); newer files use [r, g, b]. */
export function packedToRgb(packed: number): Rgb {
  return [(packed >> 16) & 255, (packed >> 8) & 255, packed & 255];
}

export function isRgb(value: unknown): value is Rgb {
  return Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255);
}

export function isRegionClass(value: unknown): value is RegionClass {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<RegionClass>;
  return typeof c.name === 'string' && c.name.trim().length > 0 && isRgb(c.color) && (c.hidden === undefined || typeof c.hidden === 'boolean');
}

export function findClass(classes: readonly RegionClass[], name: string | undefined): RegionClass | null {
  return name === undefined ? null : (classes.find((c) => c.name === name) ?? null);
}

/** A class name the user typed: trimmed, bounded; null when empty or already taken by another class. */
export function cleanClassName(name: string, classes: readonly RegionClass[], except?: string): string | null {
  const trimmed = name.replace(/\s+/g, ' ').trim().slice(0, 60);
  if (!trimmed) return null;
  return classes.some((c) => c.name === trimmed && c.name !== except) ? null : trimmed;
}

/** "Class 3": the first unused numbered name, for the "Add class" button. */
export function newClassName(classes: readonly RegionClass[]): string {
  for (let n = 1; ; n++) if (!classes.some((c) => c.name === `Class ${n}`)) return `Class ${n}`;
}

/** Colours for new classes, cycled: distinct from the defaults and from one another. */
const NEW_CLASS_COLORS: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
];

export function newClassColor(classes: readonly RegionClass[]): Rgb {
  return [...(NEW_CLASS_COLORS[classes.length % NEW_CLASS_COLORS.length] ?? [0, 0, 0])] as Rgb;
}
