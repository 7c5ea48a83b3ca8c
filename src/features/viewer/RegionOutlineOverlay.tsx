import { useStore } from 'zustand';
import { imageToScreen, type ViewTransform } from '../../session/geometry';
import { regionOutlinesStore } from '../../session/region-outlines';

/**
 * The numbered regions another feature asked to outline (Ask the slide), drawn over the slide; pointer events pass
 * through to the viewer. Hidden from assistive technology: the Ask tab lists the same regions as buttons.
 */
export function RegionOutlineOverlay({ transform, slideIdentity }: { transform: ViewTransform; slideIdentity: string }) {
  const { outlines, slideIdentity: owner } = useStore(regionOutlinesStore);
  if (owner !== slideIdentity || outlines.length === 0) return null;
  return (
    <svg aria-hidden="true" data-testid="region-outlines" className="pointer-events-none absolute inset-0 h-full w-full">
      {outlines.map(({ label, rect }) => {
        const topLeft = imageToScreen(transform, { x: rect.x, y: rect.y });
        const bottomRight = imageToScreen(transform, { x: rect.x + rect.width, y: rect.y + rect.height });
        return (
          <g key={label} data-region-label={label}>
            <rect
              x={topLeft.x}
              y={topLeft.y}
              width={Math.max(1, bottomRight.x - topLeft.x)}
              height={Math.max(1, bottomRight.y - topLeft.y)}
              fill="none"
              stroke="#f97316"
              strokeWidth={2.5}
              strokeDasharray="6 3"
            />
            <text x={topLeft.x + 4} y={topLeft.y + 16} fill="#ffffff" stroke="#7c2d12" strokeWidth={3} paintOrder="stroke" fontSize={14} fontWeight="bold">
              {label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
