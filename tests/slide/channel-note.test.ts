/** The sentence the Ask tab and the Display panel show for channel slides. */
import { describe, expect, it } from 'vitest';
import { channelRenderingNote } from '../../src/slide/channel-note';
import type { SlideChannel } from '../../src/slide/slide-source';

const channel = (name: string): SlideChannel => ({ name, color: [0, 0, 255], sampleType: 'uint16', range: [0, 4095], window: [10, 4000] });

describe('channelRenderingNote', () => {
  it('is null for colour slides', () => {
    expect(channelRenderingNote({})).toBeNull();
  });

  it('names the visible channels the models see as RGB', () => {
    const display = (visible: boolean) => ({ color: [0, 0, 255] as [number, number, number], window: [0, 1] as [number, number], visible });
    expect(channelRenderingNote({ channels: [channel('DAPI'), channel('FITC')] }, [display(true), display(false)])).toBe(
      'This slide stores uint16 channels, not colour pixels: the viewer and the models see an RGB rendering of the visible channel (DAPI) with their display windows, not the stored values.',
    );
    expect(channelRenderingNote({ channels: [channel('DAPI')] }, [display(false)])).toMatch(/rendering of no channel \(all are hidden\)/);
  });
});
