/** Text for the metadata panel, from SlideMetadata. Pure, so the panel and tests agree on wording. */
import type { SlideMetadata } from '../../slide/slide-source';
import { formatMagnification, nativeMagnification } from './magnification';

export interface MetadataRow {
  label: string;
  value: string;
}

function formatMpp(metadata: SlideMetadata): string {
  const { mppX, mppY } = metadata;
  if (mppX === null && mppY === null) return 'unknown scale';
  const show = (v: number | null) => (v === null ? '?' : String(Number(v.toPrecision(4))));
  return mppX === mppY || mppY === null ? `${show(mppX)} µm/px` : `${show(mppX)} × ${show(mppY)} µm/px`;
}

export function formatDownsample(downsample: number): string {
  return String(Number(downsample.toPrecision(4)));
}

export function metadataRows(metadata: SlideMetadata): MetadataRow[] {
  const magnification = nativeMagnification(metadata);
  return [
    { label: 'Format', value: metadata.format },
    { label: 'Vendor', value: metadata.vendor ?? 'unknown' },
    { label: 'Dimensions', value: `${metadata.width} × ${metadata.height} px` },
    { label: 'Pixel size (MPP)', value: metadata.scaleNote ? `${formatMpp(metadata)} (unreliable)` : formatMpp(metadata) },
    ...(metadata.scaleNote ? [{ label: 'Scale', value: metadata.scaleNote }] : []),
    { label: 'Objective power', value: metadata.objectivePower === null ? 'unknown' : `${formatMagnification(metadata.objectivePower)}` },
    { label: 'Native magnification', value: formatMagnification(magnification) },
    { label: 'Compression', value: metadata.compression ?? 'unknown' },
  ];
}

export function levelRows(metadata: SlideMetadata): string[] {
  return metadata.levels.map(
    (level, index) =>
      `Level ${index}: ${level.width} × ${level.height} px, downsample ${formatDownsample(level.downsample)}, tiles ${level.tileWidth} × ${level.tileHeight}`,
  );
}

/** A short title for a slide: the file name, or the last path segment of a URL (IIIF ids end in info.json). */
export function displayName(name: string): string {
  let url: URL;
  try {
    url = new URL(name);
  } catch {
    return name;
  }
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const last = segments[segments.length - 1];
  if (!last) return url.host || name;
  return last === 'info.json' && segments.length > 1 ? segments[segments.length - 2]! : last;
}
