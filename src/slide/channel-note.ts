/**
 * The sentence that tells a user what a model is shown for a slide whose samples are channels: an RGB
 * rendering of the visible channels with their current windows, not the stored values. For the Ask tab and
 * the viewer's Display panel; null for colour slides, whose pixels are what the file stores.
 */
import type { ChannelDisplay, SlideMetadata } from './slide-source';

export function channelRenderingNote(metadata: Pick<SlideMetadata, 'channels'>, displays?: ChannelDisplay[]): string | null {
  const channels = metadata.channels;
  if (!channels || channels.length === 0) return null;
  const visible = channels.filter((_, c) => displays?.[c]?.visible ?? true).map((channel) => channel.name);
  const stored = channels[0]!.sampleType;
  const shown = visible.length > 0 ? `the visible channel${visible.length > 1 ? 's' : ''} (${visible.join(', ')})` : 'no channel (all are hidden)';
  return `This slide stores ${stored} ${channels.length > 1 ? 'channels' : 'values'}, not colour pixels: the viewer and the models see an RGB rendering of ${shown} with their display windows, not the stored values.`;
}
