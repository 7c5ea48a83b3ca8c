/** Where the whole-slide viewer lives; until a slide is open it says how to get one. */
export function ViewerArea() {
  return (
    <main aria-label="Slide viewer" className="relative flex min-w-0 flex-1 items-center justify-center bg-slate-900 text-slate-200">
      <div className="max-w-md text-center">
        <h2 className="text-lg font-semibold">No slide open</h2>
        <p className="mt-2 text-sm text-slate-400">
          Opening whole-slide images (SVS, TIFF, OME-TIFF, DZI, IIIF) is not available yet in this version. Slides
          will be read on this machine and never uploaded.
        </p>
      </div>
    </main>
  );
}
