/**
 * A question's image: an embedded picture is shown here; a slide region moves the viewer there (the slide is the
 * picture, zoomable), or the panel says which slide to open. Used by the Practise and Exam views.
 */
import { useEffect, useRef } from 'react';
import { showRegionInViewer } from '../../session/viewer-navigation';
import type { ImagePlacement } from './practice-queue';

export function QuestionImageView({ placement, goKey, autoGo }: { placement: ImagePlacement; goKey: string; autoGo: boolean }) {
  // Each new question (goKey) brings its region on screen once, when its view is showing and its slide is open.
  const region = placement.kind === 'on-open-slide' ? placement.region : null;
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (!autoGo || !region || shown.current === goKey) return;
    if (showRegionInViewer(region)) shown.current = goKey;
  }, [goKey, autoGo, region]);

  switch (placement.kind) {
    case 'none':
      return null;
    case 'data-url':
      return <img src={placement.dataUrl} alt="The question's image" className="mt-2 max-h-64 w-full rounded border border-slate-200 object-contain" />;
    case 'on-open-slide':
      return (
        <p className="mt-2 flex flex-wrap items-center gap-2 text-xs text-slate-700" data-testid="practice-image-note">
          The image is the region shown in the viewer; zoom in to look closer.
          <button type="button" className="min-h-11 rounded border border-slate-300 px-3 py-1" onClick={() => showRegionInViewer(placement.region)}>
            Show the region again
          </button>
        </p>
      );
    case 'open-slide-first':
    case 'unavailable':
      return (
        <p className="mt-2 rounded bg-amber-50 px-2 py-1 text-amber-900" data-testid="practice-image-note">
          {placement.sentence}
        </p>
      );
  }
}
