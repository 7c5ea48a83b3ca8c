import { useEffect, useRef, useState } from 'react';
import type { SlideRect, SlideSource } from '../../slide/slide-source';
import { errorDetail } from '../../ui/error-sentence';

/** A search hit's tile as the model saw it, read from the slide (not a screenshot of the viewer). */
export function HitThumbnail({ source, rect, targetMpp, label }: { source: SlideSource; rect: SlideRect; targetMpp: number | null; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const { x, y, width, height } = rect;

  useEffect(() => {
    const controller = new AbortController();
    source.readRegion({ x, y, width, height }, targetMpp, controller.signal).then(
      (region) => {
        const element = canvas.current;
        if (controller.signal.aborted || !element) return;
        element.width = region.width;
        element.height = region.height;
        element.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(region.data), region.width, region.height), 0, 0);
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setFailure(`The tile could not be read: ${errorDetail(error)}`);
      },
    );
    return () => controller.abort();
  }, [source, x, y, width, height, targetMpp]);

  if (failure)
    return (
      <span className="flex h-16 w-16 items-center justify-center bg-slate-100 text-[10px] text-red-800" title={failure}>
        unreadable
      </span>
    );
  return <canvas ref={canvas} role="img" aria-label={label} className="h-16 w-16 shrink-0 rounded border border-slate-200 bg-slate-100" />;
}
