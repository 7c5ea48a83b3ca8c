import { useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import { ChannelControls } from './ChannelControls';
import { ADJUSTMENT_LIMITS, NEUTRAL_ADJUSTMENT, type DisplayAdjustment } from './display-adjustment';
import { VIEWER_TOOLS } from './drawing';
import { useViewerStore } from './viewer-store';
import { MAGNIFICATION_PRESETS, formatMagnification } from './magnification';
import { filesInput, pickedFolder, type SlideInput } from './open-actions';

interface ViewerToolbarProps {
  hasSlide: boolean;
  magnification: number | null;
  /** Whether presets can work: the slide has an MPP or an objective power. */
  scaleKnown: boolean;
  /** Why the slide's scale may be wrong (a 72-dpi default in the TIFF tags); presets and the readout say so. */
  scaleNote?: string | undefined;
  onOpen(input: SlideInput): void;
  onPreset(magnification: number): void;
  onZoom(factor: number): void;
  onFit(): void;
  onActualPixels(): void;
  /** Adds the part of the slide on screen as a rectangle ROI: drawing without a pointer. */
  onRegionFromView(): void;
}

const button = 'rounded px-2 py-1 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50';
const plain = `${button} bg-slate-700 text-white hover:bg-slate-600`;
const pressed = `${button} bg-violet-700 text-white`;

function Group({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="group" aria-label={label} className="flex items-center gap-1">
      {children}
    </div>
  );
}

/** Opening slides, tools, zoom, magnification presets and display adjustment, all labelled and keyboard-reachable. */
export function ViewerToolbar({
  hasSlide,
  magnification,
  scaleKnown,
  scaleNote,
  onOpen,
  onPreset,
  onZoom,
  onFit,
  onActualPixels,
  onRegionFromView,
}: ViewerToolbarProps) {
  const tool = useViewerStore((state) => state.tool);
  const setTool = useViewerStore((state) => state.setTool);
  const [url, setUrl] = useState('');
  // A DICOMweb server's access token: in this component's state only, never saved.
  const [token, setToken] = useState('');

  const onFiles = (event: ChangeEvent<HTMLInputElement>, folder: boolean) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = ''; // choosing the same file again should open it again
    const input = filesInput(files, folder ? pickedFolder(files) : undefined);
    if (input) onOpen(input);
  };
  const onUrl = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = url.trim();
    if (trimmed) onOpen(token.trim() ? { url: trimmed, bearerToken: token.trim() } : { url: trimmed });
  };

  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-slate-700 bg-slate-800 px-3 py-2 text-slate-100">
      <label className={`${plain} cursor-pointer focus-within:outline-2 focus-within:outline-amber-400`}>
        Open slide
        <input
          type="file"
          multiple
          className="sr-only"
          accept=".svs,.tif,.tiff,.ome.tif,.ome.tiff,.ndpi,.scn,.bif,.dcm,.mrxs,.ini,.dat,.jpg,.jpeg,.png,image/jpeg,image/png,image/tiff,application/dicom"
          onChange={(event) => onFiles(event, false)}
        />
      </label>
      <label className={`${plain} cursor-pointer focus-within:outline-2 focus-within:outline-amber-400`}>
        Open folder
        {/* A DICOM slide is a folder of files (one per level, label, overview); an MRXS slide's pixels are in its folder. */}
        <input type="file" className="sr-only" ref={(element) => element?.setAttribute('webkitdirectory', '')} onChange={(event) => onFiles(event, true)} />
      </label>
      <form onSubmit={onUrl} className="flex items-center gap-1">
        <label htmlFor="slide-url" className="text-sm">
          Slide URL
        </label>
        <input
          id="slide-url"
          type="url"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="https://…/slide.dzi"
          className="w-48 rounded border border-slate-500 bg-slate-900 px-2 py-1 text-sm text-white placeholder:text-slate-400"
        />
        <input
          type="password"
          aria-label="Access token (optional)"
          title="For a DICOMweb server that asks for one: sent with its requests as Authorization: Bearer, never saved"
          autoComplete="off"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          placeholder="token (optional)"
          className="w-28 rounded border border-slate-500 bg-slate-900 px-2 py-1 text-sm text-white placeholder:text-slate-400"
        />
        <button type="submit" className={plain}>
          Open URL
        </button>
      </form>

      <Group label="Tools">
        {VIEWER_TOOLS.map(({ tool: t, label, key }) => (
          <button
            key={t}
            type="button"
            aria-pressed={tool === t}
            aria-keyshortcuts={key}
            title={`${label} (${key === 'Escape' ? 'Esc' : key})`}
            disabled={!hasSlide}
            onClick={() => setTool(t)}
            className={tool === t ? pressed : plain}
          >
            {label}
          </button>
        ))}
        <button type="button" className={plain} disabled={!hasSlide} onClick={onRegionFromView} title="Add the part of the slide on screen as a region">
          Region from view
        </button>
      </Group>

      <Group label="Zoom">
        <button type="button" className={plain} disabled={!hasSlide} onClick={() => onZoom(1 / 1.5)} aria-keyshortcuts="-" title="Zoom out (-)">
          Zoom out
        </button>
        <button type="button" className={plain} disabled={!hasSlide} onClick={() => onZoom(1.5)} aria-keyshortcuts="+" title="Zoom in (+)">
          Zoom in
        </button>
        <button type="button" className={plain} disabled={!hasSlide} onClick={onFit} aria-keyshortcuts="0" title="Fit the slide (0)">
          Fit
        </button>
        <button
          type="button"
          className={plain}
          disabled={!hasSlide}
          onClick={onActualPixels}
          aria-label="1:1 actual pixels"
          title="One screen pixel per slide pixel"
        >
          1:1
        </button>
      </Group>

      <Group label="Magnification presets">
        {MAGNIFICATION_PRESETS.map((preset, index) => (
          <button
            key={preset}
            type="button"
            className={plain}
            disabled={!hasSlide || !scaleKnown}
            aria-keyshortcuts={String(index + 1)}
            title={scaleNote ? `Zoom to ${preset}x (${index + 1}) — unreliable: ${scaleNote}` : `Zoom to ${preset}x (${index + 1})`}
            onClick={() => onPreset(preset)}
          >
            {preset}x
          </button>
        ))}
        <span className="ml-1 text-sm">
          <span className="sr-only">Magnification: </span>
          <output data-testid="magnification" aria-label="Magnification" className="inline-block min-w-16 rounded bg-slate-900 px-2 py-1 text-center font-mono">
            {hasSlide ? formatMagnification(magnification) : '—'}
          </output>
          {hasSlide && scaleNote && (
            <span data-testid="scale-unreliable" title={scaleNote} className="ml-1 rounded bg-amber-100 px-1 text-xs text-amber-900">
              unreliable scale
            </span>
          )}
        </span>
      </Group>

      <DisplayControls disabled={!hasSlide} />
    </div>
  );
}

function DisplayControls({ disabled }: { disabled: boolean }) {
  const adjustment = useViewerStore((state) => state.adjustment);
  const setAdjustment = useViewerStore((state) => state.setAdjustment);
  const slider = (key: keyof DisplayAdjustment, label: string) => {
    const limits = ADJUSTMENT_LIMITS[key];
    return (
      <label className="flex items-center gap-2 text-sm">
        <span className="w-20">{label}</span>
        <input
          type="range"
          min={limits.min}
          max={limits.max}
          step={limits.step}
          value={adjustment[key]}
          disabled={disabled}
          onChange={(event) => setAdjustment({ [key]: Number(event.target.value) })}
        />
        <span className="w-10 font-mono text-xs">{adjustment[key].toFixed(2)}</span>
      </label>
    );
  };
  return (
    <details className="relative">
      <summary className="cursor-pointer rounded px-2 py-1 text-sm hover:bg-slate-700">Display</summary>
      <div className="absolute right-0 z-20 mt-1 space-y-1 rounded bg-slate-800 p-3 shadow-lg ring-1 ring-slate-600">
        {slider('brightness', 'Brightness')}
        {slider('contrast', 'Contrast')}
        {slider('gamma', 'Gamma')}
        <button type="button" className={plain} disabled={disabled} onClick={() => setAdjustment(NEUTRAL_ADJUSTMENT)}>
          Reset display
        </button>
        <ChannelControls />
      </div>
    </details>
  );
}
