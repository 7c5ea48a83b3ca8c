/**
 * Which region labels to show so that none overlap: at low magnification many regions crowd together and their
 * names would pile up. Labels are placed by priority (the selected region first, then larger regions on screen);
 * a label that would overlap one already placed, or whose region is too small on screen to carry it, is hidden.
 * Pure; screen pixels.
 */
export interface LabelCandidate {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Screen size of the region the label names (its bounding box's larger side). */
  regionSize: number;
  selected: boolean;
}

/** Regions smaller than this on screen carry no label unless selected (they are dots at this zoom). */
export const MIN_LABELLED_REGION_PX = 24;

/** Rough width of a 12 px label: enough to keep labels apart without measuring text in the DOM. */
export function estimatedLabelWidth(text: string): number {
  return text.length * 7 + 6;
}

function overlaps(a: LabelCandidate, b: LabelCandidate): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

export function visibleLabels(candidates: readonly LabelCandidate[]): Set<string> {
  const ordered = [...candidates].sort((a, b) => Number(b.selected) - Number(a.selected) || b.regionSize - a.regionSize);
  const placed: LabelCandidate[] = [];
  for (const label of ordered) {
    if (!label.selected && label.regionSize < MIN_LABELLED_REGION_PX) continue;
    if (placed.some((other) => overlaps(label, other))) continue;
    placed.push(label);
  }
  return new Set(placed.map((label) => label.id));
}
