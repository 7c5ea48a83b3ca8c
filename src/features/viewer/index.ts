/** What the viewer feature offers the app and other features: the slide workspace and the channel-rendering note. */
export { SlideWorkspace } from './SlideWorkspace';
export { ChannelRenderingNote } from './ChannelRenderingNote';
export type { SlideInput } from './open-actions';
