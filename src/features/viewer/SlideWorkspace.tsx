import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type ReactNode } from 'react';
import { appStore } from '../../session/app-store';
import { selectedRoi, slideStore, useSlideStore } from '../../session/slide-store';
import { addToSelectedPoints } from '../../session/roi-editing';
import { errorSentence } from '../../ui/error-sentence';
import { DISPLAY_FILTER_ID, DisplayAdjustmentFilter } from './DisplayAdjustmentFilter';
import { isNeutral } from './display-adjustment';
import { APP_KEY_CODES, NO_DRAFT, TOOL_KEYS, drawingStep, type Draft, type DrawingEvent } from './drawing';
import type { Point } from '../../session/geometry';
import { magnificationAtZoom, meanMpp, nativeMagnification, presetForKey } from './magnification';
import { MetadataPanel } from './MetadataPanel';
import { filesInput, openDemoSlideIfPresent, openInViewer, type SlideInput, type SlideOpener } from './open-actions';
import { OsdController, type ViewState } from './osd-controller';
import { roiBounds, type Roi } from '../../session/roi';
import { RoiList } from './RoiList';
import { RegionOutlineOverlay } from './RegionOutlineOverlay';
import { RoiOverlay, rulerLabel } from './RoiOverlay';
import { ScaleBarView } from './ScaleBarView';
import { ViewerToolbar } from './ViewerToolbar';
import { useViewerStore, viewerStore } from './viewer-store';
import './viewer.css';
import { setCurrentViewProvider } from '../../session/current-view';
import { heatmapOverlayStore } from '../../session/heatmap-overlay';
import { setRegionNavigator } from '../../session/viewer-navigation';

/** Screen pixels within which a click lands on a polygon's first vertex. */
const SNAP_SCREEN_PIXELS = 8;

/** Elements that need their own keys (typing, sliders); viewer shortcuts stay away from them. */
function isTextEntry(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement) return !['file', 'button', 'submit', 'reset', 'checkbox', 'radio'].includes(target.type);
  return target instanceof HTMLElement && (target.isContentEditable || ['TEXTAREA', 'SELECT'].includes(target.tagName));
}

const reportError = (sentence: string) => appStore.getState().reportError(sentence);

/** The slide details drawer (metadata, levels, associated images, regions): open or closed as last left. */
const DETAILS_OPEN_KEY = 'patholens.slideDetailsOpen';
/** Below this window width the drawer starts closed, so the slide keeps most of a small screen. */
const DETAILS_OPEN_MIN_WINDOW = 1280;
function initiallyOpenDetails(): boolean {
  const saved = globalThis.localStorage?.getItem(DETAILS_OPEN_KEY);
  return saved === null || saved === undefined ? window.innerWidth >= DETAILS_OPEN_MIN_WINDOW : saved === 'true';
}

/** The whole viewer: toolbar, the slide with its overlay and scale bar, and the slide's information and ROIs. */
export function SlideWorkspace({ opener, openDemo = true, details }: { opener: SlideOpener; openDemo?: boolean; details?: ReactNode }) {
  const slide = useSlideStore((state) => state.slide);
  const opening = useSlideStore((state) => state.opening);
  const tool = useViewerStore((state) => state.tool);
  const rois = useSlideStore((state) => state.rois);
  const selectedRoiId = useSlideStore((state) => state.selectedRoiId);
  const adjustment = useViewerStore((state) => state.adjustment);
  const workspace = useRef<HTMLDivElement>(null);
  const osdElement = useRef<HTMLDivElement>(null);
  const controller = useRef<OsdController | null>(null);
  const [view, setView] = useState<ViewState | null>(null);
  const [draft, setDraft] = useState<Draft>(NO_DRAFT);
  const draftRef = useRef<Draft>(NO_DRAFT);
  const [dragging, setDragging] = useState(false);
  const [detailsOpen, setDetailsOpen] = useState(initiallyOpenDetails);
  const toggleDetails = () => {
    setDetailsOpen(!detailsOpen);
    globalThis.localStorage?.setItem(DETAILS_OPEN_KEY, String(!detailsOpen));
  };

  const deps = useMemo(() => ({ open: opener, store: slideStore, reportError }), [opener]);
  const open = useCallback((input: SlideInput) => void openInViewer(input, deps), [deps]);

  useEffect(() => {
    if (!osdElement.current) return;
    const instance = new OsdController(osdElement.current, {
      onView: setView,
      onTileError: (error, source) => {
        // Reads still in flight when the user switched slides fail as their slide closes: not worth a word.
        if (slideStore.getState().slide?.source !== source) return;
        const name = source.metadata.name;
        reportError(errorSentence(`Part of ${name} could not be drawn`, error, 'The rest of the slide stays usable'));
      },
      onOpenFailed: (message) => reportError(errorSentence('The viewer could not show the slide', message)),
      isAppKey: (event) => APP_KEY_CODES.includes(event.code),
    });
    controller.current = instance;
    setCurrentViewProvider(() => instance.visibleRegion());
    setRegionNavigator((rect) => instance.showRegion(rect));
    instance.showHeatmap(heatmapOverlayStore.getState().overlay);
    const unsubscribeHeatmap = heatmapOverlayStore.subscribe((state) => instance.showHeatmap(state.overlay));
    return () => {
      unsubscribeHeatmap();
      setRegionNavigator(null);
      setCurrentViewProvider(null);
      controller.current = null;
      instance.destroy();
    };
  }, []);

  useEffect(() => {
    controller.current?.show(slide?.source ?? null, slide?.identity ?? '');
    // Put keyboard focus on the new slide so arrows, +/- and tool keys work at once, unless the user is elsewhere.
    const active = document.activeElement;
    const idle = !active || active === document.body || !!workspace.current?.contains(active);
    if (slide && idle && !isTextEntry(active)) controller.current?.focus();
  }, [slide]);

  useEffect(() => {
    if (openDemo) void openDemoSlideIfPresent(deps, window.location.href);
  }, [deps, openDemo]);

  // Channels shown, hidden or re-windowed in the Display panel: the same slide, new pixels.
  const channelsVersion = useViewerStore((state) => state.channelsVersion);
  useEffect(() => {
    if (channelsVersion > 0) controller.current?.redrawTiles();
  }, [channelsVersion]);

  const updateDraft = useCallback((next: Draft) => {
    draftRef.current = next;
    setDraft(next);
  }, []);

  // A new slide or tool starts with nothing half-drawn.
  useEffect(() => {
    const unsubscribeSlide = slideStore.subscribe((state, previous) => {
      if (state.slide !== previous.slide) updateDraft(NO_DRAFT);
    });
    const unsubscribeTool = viewerStore.subscribe((state, previous) => {
      if (state.tool !== previous.tool) updateDraft(NO_DRAFT);
    });
    return () => {
      unsubscribeSlide();
      unsubscribeTool();
    };
  }, [updateDraft]);

  const dispatchDrawing = useCallback(
    (event: DrawingEvent) => {
      const state = slideStore.getState();
      if (!state.slide || !view) return;
      // The overlay is not focusable; keep keyboard focus on the slide so Enter, Escape and tool keys still work.
      if (event.type === 'down') controller.current?.focus();
      const result = drawingStep(
        {
          tool: viewerStore.getState().tool,
          imageWidth: state.slide.metadata.width,
          imageHeight: state.slide.metadata.height,
          snapDistance: SNAP_SCREEN_PIXELS / view.imageZoom,
        },
        draftRef.current,
        event,
      );
      updateDraft(result.draft);
      if (result.finished) {
        const grown = addToSelectedPoints(selectedRoi(state), result.finished);
        if (grown) state.reshapeRoi(state.selectedRoiId!, grown);
        else state.addRoi(result.finished);
      }
    },
    [view, updateDraft],
  );

  const metadata = slide?.metadata ?? null;
  const native = metadata ? nativeMagnification(metadata) : null;
  const mpp = metadata ? meanMpp(metadata) : null;
  const imageZoom = view?.imageZoom ?? null;
  const pixelSize = useMemo(() => ({ mppX: metadata?.mppX ?? null, mppY: metadata?.mppY ?? null }), [metadata]);

  const onPreset = (magnification: number) => controller.current?.zoomToMagnification(magnification);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (isTextEntry(event.target) || event.ctrlKey || event.metaKey || event.altKey || !slideStore.getState().slide) return;
    const key = event.key;
    const toolForKey = TOOL_KEYS[key.toLowerCase()];
    if (toolForKey) {
      viewerStore.getState().setTool(toolForKey);
      event.preventDefault();
      return;
    }
    const preset = presetForKey(key);
    if (preset !== null) {
      onPreset(preset);
      event.preventDefault();
      return;
    }
    if (key === 'Escape') {
      if (draftRef.current.kind === 'none') viewerStore.getState().setTool('pan');
      else dispatchDrawing({ type: 'key', key });
      return;
    }
    if ((key === 'Enter' || key === 'Backspace') && draftRef.current.kind === 'polygon') {
      dispatchDrawing({ type: 'key', key });
      event.preventDefault();
      return;
    }
    // On the slide canvas OpenSeadragon zooms itself; elsewhere in the viewer + and - still zoom.
    const onCanvas = event.target instanceof HTMLElement && event.target.classList.contains('openseadragon-canvas');
    if (!onCanvas && (key === '+' || key === '=' || key === '-')) {
      controller.current?.zoomBy(key === '-' ? 1 / 1.5 : 1.5);
      event.preventDefault();
    }
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const input = filesInput([...event.dataTransfer.files]);
    if (input) open(input);
  };

  const onShowRoi = useCallback((roi: Roi) => controller.current?.showRegion(roiBounds(roi.shape)), []);
  const ruler = draft.kind === 'ruler' ? rulerLabel(draft.start, draft.end, pixelSize) : null;

  return (
    <div ref={workspace} className="flex h-full min-h-0 w-full flex-col" onKeyDown={onKeyDown}>
      <ViewerToolbar
        hasSlide={!!slide}
        magnification={imageZoom === null ? null : magnificationAtZoom(native, imageZoom)}
        scaleKnown={native !== null}
        scaleNote={slide?.metadata.scaleNote}
        onOpen={open}
        onPreset={onPreset}
        onZoom={(factor) => controller.current?.zoomBy(factor)}
        onFit={() => controller.current?.goHome()}
        onActualPixels={() => controller.current?.zoomToImageZoom(1)}
        onRegionFromView={() => {
          const rect = controller.current?.visibleRegion();
          if (rect) slideStore.getState().addRoi({ kind: 'rectangle', rect });
        }}
      />
      <div className="flex min-h-0 flex-1">
        <div
          className={`relative min-w-0 flex-1 ${dragging ? 'ring-4 ring-inset ring-amber-400' : ''}`}
          data-testid="slide-stage"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <DisplayAdjustmentFilter adjustment={adjustment} />
          <div
            ref={osdElement}
            className="absolute inset-0"
            data-testid="slide-canvas"
            style={isNeutral(adjustment) ? undefined : { filter: `url(#${DISPLAY_FILTER_ID})` }}
          />
          {slide && view && <RegionOutlineOverlay transform={view.transform} slideIdentity={slide.identity} />}
          {slide && view && (
            <RoiOverlay
              transform={view.transform}
              tool={tool}
              rois={rois}
              selectedRoiId={selectedRoiId}
              draft={draft}
              pixelSize={pixelSize}
              onDrawingEvent={dispatchDrawing}
              onWheelZoom={(factor, point: Point) => controller.current?.zoomBy(factor, point)}
              onPan={(dx, dy) => controller.current?.panByScreen(dx, dy)}
            />
          )}
          {slide && <ScaleBarView micronsPerScreenPixel={mpp !== null && imageZoom ? mpp / imageZoom : null} scaleNote={slide.metadata.scaleNote} />}
          {ruler && (
            <p role="status" data-testid="ruler-length" className="absolute left-3 top-3 rounded bg-white/90 px-2 py-1 text-sm font-medium text-slate-900">
              Ruler: {ruler}
            </p>
          )}
          {!slide && !opening && (
            <div className="pointer-events-none absolute inset-0 flex items-center justify-center p-6 text-center text-slate-200">
              <div className="max-w-md">
                <h2 className="text-lg font-semibold">No slide open</h2>
                <p className="mt-2 text-sm text-slate-300">
                  Choose “Open slide” or drop an SVS, TIFF, OME-TIFF, DICOM, JPEG or PNG file here (a DICOM slide: all its files, or “Open folder”), or open a
                  DZI, IIIF or TIFF URL. Slides are read on this machine and never uploaded.
                </p>
              </div>
            </div>
          )}
          <button
            type="button"
            aria-expanded={detailsOpen}
            aria-controls="slide-details"
            data-testid="slide-details-toggle"
            onClick={toggleDetails}
            className="absolute right-2 top-2 z-10 rounded bg-white/90 px-2 py-1 text-xs font-medium text-slate-900 shadow hover:bg-white"
          >
            {detailsOpen ? 'Hide slide details' : 'Slide details & regions'}
          </button>
          {opening && (
            <p role="status" className="absolute right-3 top-3 rounded bg-white/90 px-2 py-1 text-sm text-slate-900">
              Opening {opening}…
            </p>
          )}
        </div>
        <section
          id="slide-details"
          hidden={!detailsOpen}
          aria-label="Slide information"
          className="w-72 shrink-0 space-y-4 overflow-auto border-l border-slate-200 bg-white p-3 text-slate-900"
        >
          {slide ? (
            <>
              <MetadataPanel source={slide.source} />
              <RoiList pixelSize={pixelSize} onShow={onShowRoi} />
              {details}
            </>
          ) : (
            <p className="text-sm text-slate-700">Slide details and regions appear here once a slide is open.</p>
          )}
        </section>
      </div>
    </div>
  );
}
