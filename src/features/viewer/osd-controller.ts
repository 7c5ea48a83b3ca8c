/**
 * Owns one OpenSeadragon viewer: shows a slide, reports what is on screen (for the overlay, scale bar and
 * magnification readout), and zooms to magnifications. DOM code, but no React, so the components stay thin.
 */
import OpenSeadragon from 'openseadragon';
import type { SlideSource } from '../../slide/slide-source';
import type { HeatmapOverlay } from '../../session/heatmap-overlay';
import { heatmapCanvas } from './heatmap-canvas';
import { transformFromPoints, type Point, type ViewTransform } from '../../session/geometry';
import { MAGNIFICATION_PRESETS, nativeMagnification, zoomForMagnification } from './magnification';
import { SlideTileSource } from './slide-tile-source';

export interface ViewState {
  /** Level-0 image pixels -> viewer element pixels. */
  transform: ViewTransform;
  /** Screen (CSS) pixels per level-0 pixel. */
  imageZoom: number;
  width: number;
  height: number;
}

export interface ControllerCallbacks {
  onView(view: ViewState | null): void;
  /** A tile of `slide` failed to decode (the caller ignores slides no longer shown). */
  onTileError(error: unknown, slide: SlideSource): void;
  onOpenFailed(message: string): void;
  /** Keys OpenSeadragon would otherwise take (R rotates, F flips) that the app uses for its own tools. */
  isAppKey(event: KeyboardEvent): boolean;
}

/**
 * OpenSeadragon 6 injects a <style> element (hiding the canvas focus ring on touch screens) unless
 * `style[data-openseadragon-mobile-css]` matches. Under the production CSP (style-src 'self') that injection is a
 * violation, and so is any real <style> placeholder (Chromium checks CSP even for type="text/plain"). An element
 * named "style" in a private XML namespace matches the selector but is never a style sheet, so it is inert; the
 * rule itself lives in viewer.css.
 */
function preventInlineStyleInjection(): void {
  if (document.querySelector('style[data-openseadragon-mobile-css]')) return;
  const placeholder = document.createElementNS('urn:patholens:inert', 'style');
  placeholder.setAttribute('data-openseadragon-mobile-css', 'provided-by-viewer.css');
  document.head.appendChild(placeholder);
}

const DEFAULT_MIN_ZOOM_IMAGE_RATIO = 0.9;

export class OsdController {
  private readonly viewer: OpenSeadragon.Viewer;
  private shown: SlideSource | null = null;
  private native: number | null = null;
  private shownKey = '';
  private heatmap: { overlay: HeatmapOverlay; element: HTMLCanvasElement } | null = null;

  constructor(
    element: HTMLElement,
    private readonly callbacks: ControllerCallbacks,
  ) {
    preventInlineStyleInjection();
    this.viewer = OpenSeadragon({
      element,
      // Canvas drawer: tiles arrive as ImageBitmaps and the display adjustment is a CSS/SVG filter, so WebGL
      // would add no quality, and it is unreliable on machines without a GPU.
      drawer: 'canvas',
      showNavigationControl: false, // the app's own labelled buttons replace OpenSeadragon's image buttons
      showNavigator: true,
      navigatorPosition: 'BOTTOM_RIGHT',
      navigatorAutoFade: false,
      // The minimap's share of the viewer (OpenSeadragon's default is 0.2): on a 1024 px screen it covered much of the slide.
      navigatorSizeRatio: 0.14,
      showRotationControl: false,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      visibilityRatio: 0.5,
      zoomPerScroll: 1.4,
      animationTime: 0.5,
      maxZoomPixelRatio: 4,
      minZoomImageRatio: DEFAULT_MIN_ZOOM_IMAGE_RATIO,
      immediateRender: false,
      // Tiles asked for per frame (OpenSeadragon's default 1, 10 for the first view): a view's tiles reach the decode
      // pool together, which reads neighbours in one run of the file (decode-pool.ts) and keeps every worker busy.
      maxTilesPerFrame: 8,
      preserveImageSizeOnResize: true,
    } as OpenSeadragon.Options);
    this.viewer.canvas.setAttribute('role', 'application');
    this.viewer.canvas.setAttribute('aria-roledescription', 'slide');
    this.viewer.canvas.setAttribute('aria-label', 'Slide image. Arrow keys pan, plus and minus zoom, 0 fits the slide.');

    this.viewer.addHandler('canvas-key', (event) => {
      const keyEvent = event as unknown as { originalEvent: KeyboardEvent; preventDefaultAction: boolean };
      if (this.callbacks.isAppKey(keyEvent.originalEvent)) keyEvent.preventDefaultAction = true;
    });
    this.viewer.addHandler('open', () => this.allowLowestPreset());
    this.viewer.addHandler('open', () => this.placeHeatmap()); // opening a slide clears OpenSeadragon's overlays
    const report = () => this.callbacks.onView(this.viewState());
    for (const name of ['open', 'animation', 'animation-finish', 'resize', 'update-viewport'] as const) {
      this.viewer.addHandler(name, report);
    }
    this.viewer.addHandler('open-failed', (event) => {
      const message = (event as unknown as { message?: string }).message;
      this.callbacks.onOpenFailed(message || 'the viewer could not open it');
    });
  }

  /** Shows `slide`; the caller keeps ownership (closing it is the store's job). */
  show(slide: SlideSource | null, slideKey: string): void {
    if (slide === this.shown) return;
    this.shown = slide;
    this.shownKey = slideKey;
    if (!slide) {
      this.viewer.close();
      this.native = null;
      this.callbacks.onView(null);
      return;
    }
    this.native = nativeMagnification(slide.metadata);
    // Allow zooming to the highest preset even on a 20x scan (2 screen pixels per image pixel), and a little beyond.
    const top = Math.max(...MAGNIFICATION_PRESETS);
    const presetZoom = zoomForMagnification(this.native, top) ?? 1;
    // A plain property OpenSeadragon reads on every zoom; its typings only expose the getter.
    (this.viewer.viewport as unknown as { maxZoomPixelRatio: number }).maxZoomPixelRatio = Math.max(4, presetZoom * 1.25);
    this.viewer.open({ tileSource: new SlideTileSource(slide, slideKey, (error) => this.callbacks.onTileError(error, slide)) });
  }

  /** Draws the slide's tiles again (its channel display changed): OpenSeadragon drops them and asks anew. */
  redrawTiles(): void {
    this.viewer.world.getItemAt(0)?.reset();
    this.viewer.forceRedraw();
  }

  /**
   * OpenSeadragon stops zooming out a little below "whole slide fits". On a large slide in a small window the
   * lowest preset (1.25x) lies further out, and on a small image so does 1:1; the limit makes room for both.
   */
  private allowLowestPreset(): void {
    const lowestPreset = zoomForMagnification(this.native, Math.min(...MAGNIFICATION_PRESETS));
    const lowest = Math.min(lowestPreset ?? 1, 1);
    const viewport = this.viewer.viewport as unknown as OpenSeadragon.Viewport & { minZoomImageRatio: number };
    const needed = viewport.imageToViewportZoom(lowest) / viewport.getHomeZoom();
    viewport.minZoomImageRatio = Math.min(DEFAULT_MIN_ZOOM_IMAGE_RATIO, Math.max(0.001, needed * 0.9));
  }

  viewState(): ViewState | null {
    const item = this.viewer.world.getItemAt(0);
    const slide = this.shown;
    if (!item || !slide) return null;
    const a = { x: 0, y: 0 };
    const b = { x: slide.metadata.width, y: 0 };
    const sa = this.viewer.viewport.imageToViewerElementCoordinates(new OpenSeadragon.Point(a.x, a.y));
    const sb = this.viewer.viewport.imageToViewerElementCoordinates(new OpenSeadragon.Point(b.x, b.y));
    const transform = transformFromPoints(a, sa, b, sb);
    const size = this.viewer.viewport.getContainerSize();
    return { transform, imageZoom: transform.scale, width: size.x, height: size.y };
  }

  /** Zooms about the centre so the screen shows `magnification`; false when the scale is unknown. */
  zoomToMagnification(magnification: number): boolean {
    const imageZoom = zoomForMagnification(this.native, magnification);
    if (imageZoom === null || !this.viewer.world.getItemAt(0)) return false;
    this.zoomToImageZoom(imageZoom);
    return true;
  }

  /** Zooms about the centre to `imageZoom` screen pixels per level-0 pixel (1 = actual pixels). */
  zoomToImageZoom(imageZoom: number): void {
    if (!this.viewer.world.getItemAt(0) || !(imageZoom > 0)) return;
    this.viewer.viewport.zoomTo(this.viewer.viewport.imageToViewportZoom(imageZoom));
    this.viewer.viewport.applyConstraints();
  }

  zoomBy(factor: number, screenPoint?: Point): void {
    const ref = screenPoint ? this.viewer.viewport.pointFromPixel(new OpenSeadragon.Point(screenPoint.x, screenPoint.y)) : undefined;
    this.viewer.viewport.zoomBy(factor, ref);
    this.viewer.viewport.applyConstraints();
  }

  /** Moves the slide with the pointer: `dx`, `dy` in screen pixels, at once (a drag, not an animation). */
  panByScreen(dx: number, dy: number): void {
    const delta = this.viewer.viewport.deltaPointsFromPixels(new OpenSeadragon.Point(-dx, -dy), true);
    this.viewer.viewport.panBy(delta, true);
    this.viewer.viewport.applyConstraints(true);
  }

  /** The level-0 rectangle on screen, clipped to the slide; null when nothing is shown. */
  visibleRegion(): { x: number; y: number; width: number; height: number } | null {
    const slide = this.shown;
    if (!slide || !this.viewer.world.getItemAt(0)) return null;
    const bounds = this.viewer.viewport.viewportToImageRectangle(this.viewer.viewport.getBounds(true));
    const x = Math.max(0, bounds.x);
    const y = Math.max(0, bounds.y);
    const right = Math.min(slide.metadata.width, bounds.x + bounds.width);
    const bottom = Math.min(slide.metadata.height, bounds.y + bounds.height);
    if (right <= x || bottom <= y) return null;
    return { x, y, width: right - x, height: bottom - y };
  }

  /** Fits a level-0 rectangle (an ROI) on screen with a margin. */
  showRegion(rect: { x: number; y: number; width: number; height: number }): void {
    const margin = Math.max(rect.width, rect.height) * 0.15;
    const bounds = this.viewer.viewport.imageToViewportRectangle(
      new OpenSeadragon.Rect(rect.x - margin, rect.y - margin, rect.width + 2 * margin, rect.height + 2 * margin),
    );
    this.viewer.viewport.fitBounds(bounds);
  }

  /** Shows `overlay` over its slide (or nothing); only the opacity changes when the picture is the same. */
  showHeatmap(overlay: HeatmapOverlay | null): void {
    const current = this.heatmap;
    if (current && overlay && current.overlay.data === overlay.data && current.overlay.slideIdentity === overlay.slideIdentity) {
      current.element.style.opacity = String(overlay.opacity);
      current.overlay = overlay;
      return;
    }
    if (current) this.viewer.removeOverlay(current.element);
    this.heatmap = overlay ? { overlay, element: heatmapCanvas(overlay) } : null;
    this.placeHeatmap();
  }

  private placeHeatmap(): void {
    const heatmap = this.heatmap;
    if (!heatmap || !this.viewer.world.getItemAt(0) || heatmap.overlay.slideIdentity !== this.shownKey) return;
    const { x, y, width, height } = heatmap.overlay.bounds;
    this.viewer.removeOverlay(heatmap.element);
    this.viewer.addOverlay({ element: heatmap.element, location: this.viewer.viewport.imageToViewportRectangle(new OpenSeadragon.Rect(x, y, width, height)) });
  }

  goHome(): void {
    this.viewer.viewport.goHome();
  }

  focus(): void {
    this.viewer.canvas.focus();
  }

  destroy(): void {
    this.viewer.destroy();
  }
}
