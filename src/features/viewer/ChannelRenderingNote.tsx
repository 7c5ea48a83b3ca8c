import { channelRenderingNote } from '../../slide/channel-note';
import type { SlideMetadata, SlideSource } from '../../slide/slide-source';
import { useViewerStore } from './viewer-store';

/**
 * For fluorescence and high-bit-depth slides, outside the viewer (Ask, Classify): says that the models see an
 * RGB rendering of the visible channels, not the stored values; follows the Display panel's channel toggles.
 */
export function ChannelRenderingNote({ slide, testId }: { slide: { source: SlideSource; metadata: SlideMetadata }; testId: string }) {
  useViewerStore((state) => state.channelsVersion); // re-render when a channel is shown, hidden or re-windowed
  const note = channelRenderingNote(slide.metadata, slide.source.channelDisplay?.());
  if (!note) return null;
  return (
    <p className="rounded bg-amber-50 px-2 py-1 text-xs text-amber-900" data-testid={testId}>
      {note}
    </p>
  );
}
