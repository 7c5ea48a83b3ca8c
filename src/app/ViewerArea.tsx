import { openSlide } from '../slide/open-slide';
import { SlideWorkspace, type SlideInput } from '../features/viewer';
import { SessionFileActions } from '../features/session-file';

/** A token typed next to a DICOMweb URL goes to the reader as an `Authorization: Bearer` header, nowhere else. */
const openWithToken = (input: SlideInput) => openSlide(input, 'url' in input && input.bearerToken ? { bearerToken: input.bearerToken } : {});

/** Where the whole-slide viewer lives: slides open through the readers' browser entry point. */
export function ViewerArea() {
  return (
    <main aria-label="Slide viewer" className="relative flex min-w-0 flex-1 bg-slate-900 text-slate-200">
      <SlideWorkspace opener={openWithToken} details={<SessionFileActions />} />
    </main>
  );
}
