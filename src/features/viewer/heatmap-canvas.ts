/**
 * The element that shows a heatmap over the slide: a canvas of one pixel per grid cell, stretched by
 * OpenSeadragon over the cells' level-0 rectangle without smoothing, so each tile stays a crisp square.
 */
import type { HeatmapOverlay } from '../../session/heatmap-overlay';

export function heatmapCanvas(overlay: HeatmapOverlay): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = overlay.width;
  canvas.height = overlay.height;
  canvas.dataset.testid = 'heatmap-overlay';
  canvas.setAttribute('aria-hidden', 'true');
  canvas.style.imageRendering = 'pixelated';
  canvas.style.pointerEvents = 'none';
  canvas.style.opacity = String(overlay.opacity);
  canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(overlay.data), overlay.width, overlay.height), 0, 0);
  return canvas;
}
