/** What the viewer feature offers the app: the whole slide workspace. */
export { SlideWorkspace } from './SlideWorkspace';
