import { transferTable, type DisplayAdjustment } from './display-adjustment';

export const DISPLAY_FILTER_ID = 'patholens-display-adjustment';

/**
 * An SVG filter holding the brightness/contrast/gamma curve; the slide container refers to it with
 * `filter: url(#...)`, so the display changes without touching tiles or the pixels the models read.
 */
export function DisplayAdjustmentFilter({ adjustment }: { adjustment: DisplayAdjustment }) {
  const table = transferTable(adjustment, 64).join(' ');
  return (
    <svg aria-hidden="true" width="0" height="0" className="absolute">
      <filter id={DISPLAY_FILTER_ID} colorInterpolationFilters="sRGB">
        <feComponentTransfer>
          <feFuncR type="table" tableValues={table} />
          <feFuncG type="table" tableValues={table} />
          <feFuncB type="table" tableValues={table} />
        </feComponentTransfer>
      </filter>
    </svg>
  );
}
