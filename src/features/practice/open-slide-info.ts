/** The open slide as question images see it (its name, whether it is the built-in demo slide). */
import { useSlideStore, type OpenSlide } from '../../session/slide-store';
import { DEMO_SLIDE_URL_PATH, slideBaseName, type OpenSlideInfo } from './practice-queue';

export function openSlideInfo(slide: OpenSlide | null): OpenSlideInfo | null {
  if (!slide) return null;
  const name = slide.metadata.name;
  // The demo is known by its path on the app's own server (viewer/slide-identity urlIdentity), whatever the port.
  const isDemo = slide.identity === `url:${DEMO_SLIDE_URL_PATH}` || slideBaseName(name) === slideBaseName(DEMO_SLIDE_URL_PATH);
  return { name, isDemo };
}

export function useOpenSlideInfo(): OpenSlideInfo | null {
  const slide = useSlideStore((state) => state.slide);
  return openSlideInfo(slide);
}
