/** What the viewer feature offers the app and other features: the slide workspace and the channel-rendering note. */
export { SlideWorkspace } from './SlideWorkspace';
export { ChannelRenderingNote } from './ChannelRenderingNote';
export type { SlideInput } from './open-actions';
/** The scale bar's length and label for a µm-per-pixel (the Ask feature's printable report draws one). */
export { scaleBar } from './scale-bar';
