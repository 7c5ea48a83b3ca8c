import { describe, expect, it } from 'vitest';
import { clampSidePanelWidth, savedSidePanelWidth, widthAfterKey } from '../../src/app/side-panel-width';

describe('side panel width', () => {
  it('keeps at least half the window for the slide, and a usable panel', () => {
    expect(clampSidePanelWidth(900, 1024)).toBe(512);
    expect(clampSidePanelWidth(100, 1920)).toBe(288);
    expect(clampSidePanelWidth(Number.NaN, 1440)).toBe(384);
  });

  it('moves with the arrow keys, Home and End; other keys leave it', () => {
    expect(widthAfterKey(384, 'ArrowLeft', false, 1440)).toBe(400);
    expect(widthAfterKey(384, 'ArrowRight', true, 1440)).toBe(320);
    expect(widthAfterKey(384, 'End', false, 1440)).toBe(720);
    expect(widthAfterKey(384, 'Home', false, 1440)).toBe(288);
    expect(widthAfterKey(384, 'a', false, 1440)).toBeNull();
  });

  it('reads the remembered width, or the default when none or garbage is stored', () => {
    expect(savedSidePanelWidth({ getItem: () => '450' })).toBe(450);
    expect(savedSidePanelWidth({ getItem: () => 'wide' })).toBe(384);
    expect(savedSidePanelWidth(undefined)).toBe(384);
  });
});
