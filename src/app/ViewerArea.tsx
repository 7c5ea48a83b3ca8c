import { openSlide } from '../slide/open-slide';
import { SlideWorkspace } from '../features/viewer';

/** Where the whole-slide viewer lives: slides open through the readers' browser entry point. */
export function ViewerArea() {
  return (
    <main aria-label="Slide viewer" className="relative flex min-w-0 flex-1 bg-slate-900 text-slate-200">
      <SlideWorkspace opener={openSlide} />
    </main>
  );
}
