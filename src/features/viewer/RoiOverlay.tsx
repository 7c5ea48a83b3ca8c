import type { PointerEvent, WheelEvent } from 'react';
import {
  formatMicrons,
  imageToScreen,
  pathLength,
  pathLengthMicrons,
  screenToImage,
  type PixelSize,
  type Point,
  type ViewTransform,
} from '../../session/geometry';
import type { Draft, DrawingEvent, Tool } from './drawing';
import { roiPolygon, type Roi } from '../../session/roi';

interface RoiOverlayProps {
  transform: ViewTransform;
  tool: Tool;
  rois: readonly Roi[];
  selectedRoiId: string | null;
  draft: Draft;
  pixelSize: PixelSize;
  onDrawingEvent(event: DrawingEvent): void;
  onWheelZoom(factor: number, screenPoint: Point): void;
}

const pointsAttribute = (points: readonly Point[]) => points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');

/** Ruler text: µm when the pixel size is known, otherwise pixels with "unknown scale". */
export function rulerLabel(start: Point, end: Point, pixelSize: PixelSize): string {
  const microns = pathLengthMicrons([start, end], pixelSize);
  return microns === null ? `${Math.round(pathLength([start, end]))} px (unknown scale)` : formatMicrons(microns);
}

/**
 * Why not Annotorious: Annotorious 3 for OpenSeadragon renders through a bundled PixiJS 7, which compiles shader
 * code with `new Function` (needs 'unsafe-eval'), and its Svelte editors set style attributes; the production CSP
 * (script-src 'self', style-src 'self') blocks both. This small layer needs neither.
 *
 * SVG layer over the slide: draws saved ROIs and the shape being drawn, and turns pointer input into drawing
 * events in level-0 coordinates. With the pan tool it lets every pointer event through to OpenSeadragon.
 * Hidden from assistive technology: the ROI list is the accessible view of the same regions.
 */
export function RoiOverlay({ transform, tool, rois, selectedRoiId, draft, pixelSize, onDrawingEvent, onWheelZoom }: RoiOverlayProps) {
  const toScreen = (p: Point) => imageToScreen(transform, p);
  const local = (event: { clientX: number; clientY: number; currentTarget: Element }): Point => {
    const box = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  const toImage = (event: PointerEvent<SVGSVGElement>) => screenToImage(transform, local(event));
  const drawing = tool !== 'pan';

  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    // Stops the browser moving focus to <body> (the SVG is not focusable); the workspace focuses the slide.
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    onDrawingEvent({ type: 'down', point: toImage(event) });
  };
  const onWheel = (event: WheelEvent<SVGSVGElement>) => onWheelZoom(event.deltaY < 0 ? 1.25 : 1 / 1.25, local(event));

  return (
    <svg
      aria-hidden="true"
      data-testid="roi-overlay"
      data-tool={tool}
      className={`absolute inset-0 h-full w-full ${drawing ? 'cursor-crosshair touch-none' : 'pointer-events-none'}`}
      onPointerDown={drawing ? onPointerDown : undefined}
      onPointerMove={drawing ? (event) => onDrawingEvent({ type: 'move', point: toImage(event) }) : undefined}
      onPointerUp={drawing ? (event) => onDrawingEvent({ type: 'up', point: toImage(event) }) : undefined}
      onDoubleClick={drawing ? () => onDrawingEvent({ type: 'double-click' }) : undefined}
      onWheel={drawing ? onWheel : undefined}
    >
      {rois.map((roi) => {
        const screen = roiPolygon(roi.shape).map(toScreen);
        const selected = roi.id === selectedRoiId;
        const anchor = screen.reduce((top, p) => (p.y < top.y || (p.y === top.y && p.x < top.x) ? p : top), screen[0]!);
        return (
          <g key={roi.id} data-roi-name={roi.name}>
            <polygon
              points={pointsAttribute(screen)}
              fill={selected ? 'rgba(250, 204, 21, 0.18)' : 'rgba(34, 211, 238, 0.1)'}
              stroke={selected ? '#facc15' : '#22d3ee'}
              strokeWidth={selected ? 3 : 2}
            />
            <text x={anchor.x + 4} y={anchor.y - 6} fill="#ffffff" stroke="#0f172a" strokeWidth={3} paintOrder="stroke" fontSize={12}>
              {roi.name}
            </text>
          </g>
        );
      })}
      <DraftShape draft={draft} toScreen={toScreen} pixelSize={pixelSize} />
    </svg>
  );
}

function DraftShape({ draft, toScreen, pixelSize }: { draft: Draft; toScreen: (p: Point) => Point; pixelSize: PixelSize }) {
  switch (draft.kind) {
    case 'none':
      return null;
    case 'rectangle': {
      const a = toScreen(draft.start);
      const b = toScreen(draft.current);
      return (
        <rect
          data-testid="draft-rectangle"
          x={Math.min(a.x, b.x)}
          y={Math.min(a.y, b.y)}
          width={Math.abs(b.x - a.x)}
          height={Math.abs(b.y - a.y)}
          fill="rgba(250, 204, 21, 0.12)"
          stroke="#facc15"
          strokeWidth={2}
          strokeDasharray="6 4"
        />
      );
    }
    case 'polygon': {
      const points = [...draft.points, ...(draft.cursor ? [draft.cursor] : [])].map(toScreen);
      return (
        <g>
          <polyline points={pointsAttribute(points)} fill="none" stroke="#facc15" strokeWidth={2} strokeDasharray="6 4" />
          {draft.points.map(toScreen).map((p, i) => (
            <circle key={i} cx={p.x} cy={p.y} r={i === 0 ? 6 : 4} fill="#facc15" stroke="#0f172a" />
          ))}
        </g>
      );
    }
    case 'ruler': {
      const a = toScreen(draft.start);
      const b = toScreen(draft.end);
      return (
        <g data-testid="ruler">
          {/* Dark casing under a bright line: visible on pink stroma, purple nuclei and white background alike. */}
          <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke="#0f172a" strokeWidth={5} strokeLinecap="round" />
          <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke="#fde047" strokeWidth={2} strokeLinecap="round" />
          <circle cx={a.x} cy={a.y} r={4} fill="#fde047" stroke="#0f172a" />
          <circle cx={b.x} cy={b.y} r={4} fill="#fde047" stroke="#0f172a" />
          <text x={b.x + 8} y={b.y - 8} fill="#ffffff" stroke="#0f172a" strokeWidth={3} paintOrder="stroke" fontSize={13}>
            {rulerLabel(draft.start, draft.end, pixelSize)}
          </text>
        </g>
      );
    }
  }
}
