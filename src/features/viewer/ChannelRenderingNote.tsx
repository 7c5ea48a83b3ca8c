import { channelRenderingNote } from '../../slide/channel-note';
import type { SlideMetadata, SlideSource } from '../../slide/slide-source';

/** For fluorescence and high-bit-depth slides: says that the models see an RGB rendering, not the stored values. */
export function ChannelRenderingNote({ slide }: { slide: { source: SlideSource; metadata: SlideMetadata } }) {
  const note = channelRenderingNote(slide.metadata, slide.source.channelDisplay?.());
  if (!note) return null;
  return (
    <p className="rounded bg-amber-50 px-2 py-1 text-xs text-amber-900" data-testid="channel-rendering-note">
      {note}
    </p>
  );
}
