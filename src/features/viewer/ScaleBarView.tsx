import { scaleBar } from './scale-bar';

/**
 * Bottom-left scale bar; "unknown scale" when the slide has no pixel size, and marked "unreliable" (the reason in
 * its tooltip) when the pixel size is probably an image program's default.
 */
export function ScaleBarView({ micronsPerScreenPixel, scaleNote }: { micronsPerScreenPixel: number | null; scaleNote?: string | undefined }) {
  const bar = scaleBar(micronsPerScreenPixel, 160);
  const label = bar.known && scaleNote ? `${bar.label} (unreliable scale)` : bar.label;
  return (
    <div
      role="img"
      aria-label={`Scale bar: ${label}`}
      title={bar.known ? scaleNote : undefined}
      data-testid="scale-bar"
      className="pointer-events-none absolute bottom-3 left-3 rounded bg-white/90 px-2 py-1 text-xs font-medium text-slate-900 shadow"
    >
      {bar.known ? (
        <>
          <div className="h-1.5 border-x-2 border-b-2 border-slate-900" style={{ width: `${bar.widthPixels}px` }} />
          <div className="mt-0.5">{label}</div>
        </>
      ) : (
        <div>{bar.label}</div>
      )}
    </div>
  );
}
