/**
 * Channel toggles for fluorescence and high-bit-depth slides (in the Display panel): one checkbox per channel
 * with its name and colour, and the sentence saying that viewer and models see an RGB rendering.
 */
import { useState } from 'react';
import { useSlideStore } from '../../session/slide-store';
import { channelRenderingNote } from '../../slide/channel-note';
import { viewerStore } from './viewer-store';

const toHex = (color: [number, number, number]) => `#${color.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

export function ChannelControls() {
  const source = useSlideStore((state) => state.slide?.source ?? null);
  // The display lives in the slide source; this counter re-renders the checkboxes after a change.
  const [, setRevision] = useState(0);
  const channels = source?.metadata.channels;
  if (!source || !channels || !source.channelDisplay || !source.setChannelDisplay) return null;
  const displays = source.channelDisplay();
  const toggle = (index: number, visible: boolean) => {
    source.setChannelDisplay!(index, { visible });
    setRevision((r) => r + 1);
    viewerStore.getState().channelsChanged();
  };
  return (
    <fieldset className="mt-2 border-t border-slate-600 pt-2">
      <legend className="text-sm font-medium">Channels</legend>
      {channels.map((channel, index) => (
        <label key={`${index}-${channel.name}`} className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={displays[index]?.visible ?? true} onChange={(event) => toggle(index, event.target.checked)} />
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm" style={{ backgroundColor: toHex(channel.color) }} />
          <span>{channel.name}</span>
          <span className="font-mono text-xs text-slate-400">
            {channel.window[0]}–{channel.window[1]}
          </span>
        </label>
      ))}
      <p className="mt-1 max-w-64 text-xs text-slate-300" data-testid="channel-rendering-note">
        {channelRenderingNote(source.metadata, displays)}
      </p>
    </fieldset>
  );
}
