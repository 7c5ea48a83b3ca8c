import { useRef, useState, type PointerEvent, type WheelEvent } from 'react';
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
import { roiPolygon, type Roi, type RoiShape } from '../../session/roi';
import { clampMove, handleAt, hitTestRoi, moveHandle, moveShape, shapeHandles } from '../../session/roi-editing';
import { UNCLASSIFIED_COLOR, findClass, rgbToHex, type RegionClass } from '../../session/region-classes';
import { useRegionClasses } from '../../session/region-class-store';
import { slideStore } from '../../session/slide-store';
import { estimatedLabelWidth, visibleLabels } from './label-layout';

interface RoiOverlayProps {
  transform: ViewTransform;
  tool: Tool;
  rois: readonly Roi[];
  selectedRoiId: string | null;
  draft: Draft;
  pixelSize: PixelSize;
  onDrawingEvent(event: DrawingEvent): void;
  onWheelZoom(factor: number, screenPoint: Point): void;
  /** The select tool dragged on empty slide: move the slide by this many screen pixels, as the pan tool would. */
  onPan(dx: number, dy: number): void;
}

/** Screen pixels within which a click lands on a region's outline, a point or a handle. */
const HIT_SCREEN_PIXELS = 8;

/** Whether a region is drawn: neither it nor its class is hidden. */
export function isRegionShown(roi: Roi, classes: readonly RegionClass[]): boolean {
  return !roi.hidden && !findClass(classes, roi.className)?.hidden;
}

type Drag = { id: string; from: Point; shape: RoiShape; handle: number | null };

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
export function RoiOverlay({ transform, tool, rois, selectedRoiId, draft, pixelSize, onDrawingEvent, onWheelZoom, onPan }: RoiOverlayProps) {
  const classes = useRegionClasses((state) => state.classes);
  const drag = useRef<Drag | null>(null);
  // A select-tool drag that started on no region pans the slide (as in QuPath); the last screen point it reached.
  const panFrom = useRef<Point | null>(null);
  const [preview, setPreview] = useState<{ id: string; shape: RoiShape } | null>(null);
  const toScreen = (p: Point) => imageToScreen(transform, p);
  const local = (event: { clientX: number; clientY: number; currentTarget: Element }): Point => {
    const box = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  const toImage = (event: PointerEvent<SVGSVGElement>) => screenToImage(transform, local(event));
  const drawing = tool !== 'pan';
  const tolerance = HIT_SCREEN_PIXELS / transform.scale;
  const shown = rois.filter((roi) => isRegionShown(roi, classes));

  // The select tool: a click picks the region under it; dragging it moves it, dragging a handle reshapes it.
  const selectDown = (p: Point, screenPoint: Point) => {
    const state = slideStore.getState();
    const selected = shown.find((roi) => roi.id === selectedRoiId);
    const handle = selected && !selected.locked ? handleAt(selected.shape, p, tolerance) : -1;
    if (selected && handle >= 0) {
      drag.current = { id: selected.id, from: p, shape: selected.shape, handle };
      return;
    }
    const hit = hitTestRoi(shown, p, tolerance, () => true);
    state.selectRoi(hit?.id ?? null);
    drag.current = hit && !hit.locked ? { id: hit.id, from: p, shape: hit.shape, handle: null } : null;
    panFrom.current = hit ? null : screenPoint;
  };
  const dragged = (p: Point): RoiShape | null => {
    const current = drag.current;
    const slide = slideStore.getState().slide;
    if (!current || !slide) return null;
    const { width, height } = slide.metadata;
    if (current.handle !== null) {
      return moveHandle(current.shape, current.handle, { x: Math.min(Math.max(p.x, 0), width), y: Math.min(Math.max(p.y, 0), height) });
    }
    const { dx, dy } = clampMove(current.shape, p.x - current.from.x, p.y - current.from.y, width, height);
    return moveShape(current.shape, dx, dy);
  };

  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    // Stops the browser moving focus to <body> (the SVG is not focusable); the workspace focuses the slide.
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    if (tool === 'select') selectDown(toImage(event), local(event));
    else onDrawingEvent({ type: 'down', point: toImage(event) });
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    if (tool !== 'select') return onDrawingEvent({ type: 'move', point: toImage(event) });
    if (panFrom.current) {
      const to = local(event);
      onPan(to.x - panFrom.current.x, to.y - panFrom.current.y);
      panFrom.current = to;
      return;
    }
    const shape = dragged(toImage(event));
    if (shape && drag.current) setPreview({ id: drag.current.id, shape });
  };
  const onPointerUp = (event: PointerEvent<SVGSVGElement>) => {
    if (tool !== 'select') return onDrawingEvent({ type: 'up', point: toImage(event) });
    panFrom.current = null;
    const shape = dragged(toImage(event));
    const current = drag.current;
    drag.current = null;
    setPreview(null);
    // One undo step per drag; a click without a move changes nothing.
    if (current && shape && JSON.stringify(shape) !== JSON.stringify(current.shape)) slideStore.getState().reshapeRoi(current.id, shape);
  };
  const onWheel = (event: WheelEvent<SVGSVGElement>) => onWheelZoom(event.deltaY < 0 ? 1.25 : 1 / 1.25, local(event));

  const drawn = shown.map((roi) => {
    const shape = preview?.id === roi.id ? preview.shape : roi.shape;
    const screen = roiPolygon(shape).map(toScreen);
    const anchor = screen.reduce((top, p) => (p.y < top.y || (p.y === top.y && p.x < top.x) ? p : top), screen[0]!);
    const xs = screen.map((p) => p.x);
    const ys = screen.map((p) => p.y);
    const regionSize = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), shape.kind === 'points' ? MIN_POINT_LABEL_SIZE : 0);
    return { roi, shape, screen, anchor, regionSize, selected: roi.id === selectedRoiId };
  });
  const labelled = visibleLabels(
    drawn.map(({ roi, anchor, regionSize, selected }) => ({
      id: roi.id,
      x: anchor.x + 4,
      y: anchor.y - 18,
      width: estimatedLabelWidth(roi.name),
      height: 14,
      regionSize,
      selected,
    })),
  );

  return (
    <svg
      aria-hidden="true"
      data-testid="roi-overlay"
      data-tool={tool}
      className={`absolute inset-0 h-full w-full ${drawing ? 'cursor-crosshair touch-none' : 'pointer-events-none'}`}
      onPointerDown={drawing ? onPointerDown : undefined}
      onPointerMove={drawing ? onPointerMove : undefined}
      onPointerUp={drawing ? onPointerUp : undefined}
      onDoubleClick={drawing ? () => onDrawingEvent({ type: 'double-click' }) : undefined}
      onWheel={drawing ? onWheel : undefined}
    >
      {drawn.map(({ roi, shape, screen, anchor, selected }) => {
        const color = rgbToHex(findClass(classes, roi.className)?.color ?? UNCLASSIFIED_COLOR);
        return (
          <g key={roi.id} data-roi-name={roi.name} data-selected={selected || undefined} data-class={roi.className}>
            {/* Outlines only, selected or not: a fill would tint the tissue a pathologist is reading. */}
            <RegionShape shape={shape} screen={screen} toScreen={toScreen} color={color} selected={selected} />
            {labelled.has(roi.id) && (
              <text data-testid="roi-label" x={anchor.x + 4} y={anchor.y - 6} fill="#ffffff" stroke="#0f172a" strokeWidth={3} paintOrder="stroke" fontSize={12}>
                {roi.name}
              </text>
            )}
            {selected && tool === 'select' && !roi.locked && (
              <g data-testid="roi-handles">
                {shapeHandles(shape)
                  .map(toScreen)
                  .map((h, i) => (
                    <rect key={i} x={h.x - 4} y={h.y - 4} width={8} height={8} fill="#ffffff" stroke="#0f172a" strokeWidth={1} />
                  ))}
              </g>
            )}
          </g>
        );
      })}
      <DraftShape draft={draft} toScreen={toScreen} pixelSize={pixelSize} />
    </svg>
  );
}

/** A point region counts as this many screen pixels wide when deciding whether its label fits. */
const MIN_POINT_LABEL_SIZE = 30;

function RegionShape({
  shape,
  screen,
  toScreen,
  color,
  selected,
}: {
  shape: RoiShape;
  screen: Point[];
  toScreen: (p: Point) => Point;
  color: string;
  selected: boolean;
}) {
  const strokeWidth = selected ? 3 : 2;
  if (shape.kind === 'points') {
    return (
      <>
        {screen.map((p, i) => (
          <circle key={i} cx={p.x} cy={p.y} r={selected ? 6 : 5} fill={color} stroke={selected ? '#ffffff' : '#0f172a'} strokeWidth={selected ? 2 : 1} />
        ))}
      </>
    );
  }
  if (shape.kind === 'ellipse') {
    const a = toScreen({ x: shape.rect.x, y: shape.rect.y });
    const b = toScreen({ x: shape.rect.x + shape.rect.width, y: shape.rect.y + shape.rect.height });
    return <ellipse cx={(a.x + b.x) / 2} cy={(a.y + b.y) / 2} rx={(b.x - a.x) / 2} ry={(b.y - a.y) / 2} fill="none" stroke={color} strokeWidth={strokeWidth} />;
  }
  return <polygon points={pointsAttribute(screen)} fill="none" stroke={color} strokeWidth={strokeWidth} />;
}

function DraftShape({ draft, toScreen, pixelSize }: { draft: Draft; toScreen: (p: Point) => Point; pixelSize: PixelSize }) {
  switch (draft.kind) {
    case 'none':
      return null;
    case 'ellipse': {
      const a = toScreen(draft.start);
      const b = toScreen(draft.current);
      return (
        <ellipse
          data-testid="draft-ellipse"
          cx={(a.x + b.x) / 2}
          cy={(a.y + b.y) / 2}
          rx={Math.abs(b.x - a.x) / 2}
          ry={Math.abs(b.y - a.y) / 2}
          fill="none"
          stroke="#facc15"
          strokeWidth={2}
          strokeDasharray="6 4"
        />
      );
    }
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
