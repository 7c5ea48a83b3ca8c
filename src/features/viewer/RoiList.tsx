import { memo, useEffect, useState, type KeyboardEvent } from 'react';
import { slideStore, useSlideStore } from '../../session/slide-store';
import { formatArea, type PixelSize } from '../../session/geometry';
import { KIND_LABEL, roiAreaMm2, type Roi } from '../../session/roi';
import { regionClassStore, useRegionClasses } from '../../session/region-class-store';
import { hexToRgb, rgbToHex } from '../../session/region-classes';
import { regionsFromGeoJson, regionsToGeoJson } from '../../session/regions-geojson';
import { appStore } from '../../session/app-store';
import { errorSentence } from '../../ui/error-sentence';

interface RoiListProps {
  pixelSize: PixelSize;
  onShow(roi: Roi): void;
}

const small = 'rounded px-2 py-0.5 text-sm disabled:cursor-not-allowed disabled:opacity-50';

/**
 * Every ROI of the open slide: rename in place, class, show/hide, show on the slide, delete (with undo), and
 * undo/redo of every region change (also Ctrl+Z / Ctrl+Shift+Z). Saved per slide automatically.
 */
export const RoiList = memo(function RoiList({ pixelSize, onShow }: RoiListProps) {
  const rois = useSlideStore((state) => state.rois);
  const selectedRoiId = useSlideStore((state) => state.selectedRoiId);
  const history = useSlideStore((state) => state.history);
  const [deleted, setDeleted] = useState<string | null>(null);
  useEffect(() => void regionClassStore.getState().load(), []);
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (isTyping(event.target) || !slideStore.getState().slide) return;
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && (key === 'z' || key === 'y')) {
        event.preventDefault();
        if (key === 'y' || event.shiftKey) slideStore.getState().redo();
        else slideStore.getState().undo();
      } else if (event.key === 'Delete') {
        const state = slideStore.getState();
        const roi = state.rois.find((candidate) => candidate.id === state.selectedRoiId);
        if (roi) {
          state.deleteRoi(roi.id);
          setDeleted(roi.name);
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  const onDelete = (roi: Roi) => {
    slideStore.getState().deleteRoi(roi.id);
    setDeleted(roi.name);
  };
  return (
    <div>
      <div className="flex items-center gap-2">
        <h2 className="text-base font-semibold">Regions</h2>
        <button
          type="button"
          className={`${small} bg-slate-200 text-slate-900`}
          disabled={!history.past.length}
          onClick={() => slideStore.getState().undo()}
          aria-keyshortcuts="Control+Z"
        >
          Undo
        </button>
        <button
          type="button"
          className={`${small} bg-slate-200 text-slate-900`}
          disabled={!history.future.length}
          onClick={() => slideStore.getState().redo()}
          aria-keyshortcuts="Control+Shift+Z"
        >
          Redo
        </button>
      </div>
      {deleted && (
        <p role="status" className="mt-1 text-sm text-slate-800">
          Deleted “{deleted}” (its answers are kept).{' '}
          <button
            type="button"
            className="underline"
            onClick={() => {
              slideStore.getState().undo();
              setDeleted(null);
            }}
          >
            Undo delete
          </button>
        </p>
      )}
      <GeoJsonActions />
      {rois.length === 0 ? (
        <p className="mt-1 text-sm text-slate-700">No regions yet. Draw one with Rectangle (R), Ellipse (O), Polygon (P) or Point (.).</p>
      ) : (
        <ul className="mt-2 space-y-2" aria-label="Regions of this slide">
          {rois.map((roi) => (
            <RoiItem key={roi.id} roi={roi} selected={roi.id === selectedRoiId} pixelSize={pixelSize} onShow={onShow} onDelete={onDelete} />
          ))}
        </ul>
      )}
      <ClassList />
    </div>
  );
});

/** QuPath-shaped GeoJSON in and out. A bad file gives a sentence and leaves the regions as they were. */
function GeoJsonActions() {
  const [notes, setNotes] = useState<string[]>([]);
  const onImport = async (file: File | undefined) => {
    if (!file) return;
    try {
      const imported = regionsFromGeoJson(await file.text());
      regionClassStore.getState().merge(imported.classes);
      const added = slideStore.getState().addRois(imported.rois);
      setNotes([`Imported ${added.length} region${added.length === 1 ? '' : 's'} from ${file.name}.`, ...imported.notes]);
    } catch (error) {
      appStore.getState().reportError(errorSentence(`Could not import ${file.name}`, error, 'The regions already on the slide are unchanged'));
    }
  };
  const onExport = () => {
    const { slide, rois } = slideStore.getState();
    if (!slide) return;
    const json = JSON.stringify(regionsToGeoJson(rois, regionClassStore.getState().classes), null, 2);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([json], { type: 'application/geo+json' }));
    link.download = `${slide.metadata.name.replace(/\.[^.]+$/, '')}.geojson`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  };
  return (
    <div className="mt-1">
      <div className="flex gap-2">
        <label className={`${small} cursor-pointer bg-slate-200 text-slate-900 focus-within:outline-2`}>
          Import GeoJSON
          <input
            type="file"
            accept=".geojson,.json,application/geo+json,application/json"
            className="sr-only"
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = '';
              void onImport(file);
            }}
          />
        </label>
        <button type="button" className={`${small} bg-slate-200 text-slate-900`} onClick={onExport}>
          Export GeoJSON
        </button>
      </div>
      {notes.length > 0 && (
        <div role="status" data-testid="geojson-notes">
          <ul className="mt-1 list-disc pl-4 text-xs text-slate-800">
            {notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function RoiItem({
  roi,
  selected,
  pixelSize,
  onShow,
  onDelete,
}: {
  roi: Roi;
  selected: boolean;
  pixelSize: PixelSize;
  onShow(roi: Roi): void;
  onDelete(roi: Roi): void;
}) {
  const renameRoi = useSlideStore((state) => state.renameRoi);
  const selectRoi = useSlideStore((state) => state.selectRoi);
  const classes = useRegionClasses((state) => state.classes);
  const [name, setName] = useState(roi.name);
  const [editedFrom, setEditedFrom] = useState(roi.name);
  // Follow renames made elsewhere (another tab of the list, a reload) unless the user is typing.
  if (roi.name !== editedFrom) {
    setEditedFrom(roi.name);
    setName(roi.name);
  }
  const commit = () => {
    if (name !== roi.name) renameRoi(roi.id, name);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') commit();
    if (event.key === 'Escape') setName(roi.name);
  };
  const measure =
    roi.shape.kind === 'points' ? `${roi.shape.points.length} point${roi.shape.points.length === 1 ? '' : 's'}` : formatArea(roiAreaMm2(roi.shape, pixelSize));
  return (
    <li className={`rounded border p-2 text-sm ${selected ? 'border-amber-500 bg-amber-50' : 'border-slate-200'}`} data-testid="roi-item">
      <label className="block text-xs text-slate-700">
        Name
        <input
          value={name}
          onChange={(event) => setName(event.target.value)}
          onBlur={commit}
          onKeyDown={onKeyDown}
          onFocus={() => selectRoi(roi.id)}
          className="mt-0.5 block w-full rounded border border-slate-300 px-1.5 py-0.5 text-sm text-slate-900"
        />
      </label>
      <p className="mt-1 text-slate-800">
        {KIND_LABEL[roi.shape.kind]}, <span data-testid="roi-area">{measure}</span>
      </p>
      <div className="mt-1 flex flex-wrap items-center gap-2">
        <label className="text-xs text-slate-700">
          Class{' '}
          <select
            value={roi.className ?? ''}
            onChange={(event) => slideStore.getState().setRoiClass(roi.id, event.target.value || null)}
            className="rounded border border-slate-300 text-sm text-slate-900"
          >
            <option value="">None</option>
            {classes.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
            {roi.className && !classes.some((c) => c.name === roi.className) && <option value={roi.className}>{roi.className}</option>}
          </select>
        </label>
        <label className="text-xs text-slate-700">
          <input type="checkbox" checked={!roi.hidden} onChange={(event) => slideStore.getState().setRoiHidden(roi.id, !event.target.checked)} /> Shown
          <span className="sr-only"> {roi.name}</span>
        </label>
      </div>
      <div className="mt-1 flex gap-2">
        <button
          type="button"
          onClick={() => {
            selectRoi(roi.id);
            onShow(roi);
          }}
          className="rounded bg-slate-200 px-2 py-0.5 text-slate-900 hover:bg-slate-300"
        >
          Show <span className="sr-only">{roi.name}</span>
        </button>
        <button type="button" onClick={() => onDelete(roi)} className="rounded bg-red-100 px-2 py-0.5 text-red-900 hover:bg-red-200">
          Delete <span className="sr-only">{roi.name}</span>
        </button>
      </div>
    </li>
  );
}

/** The classes and their colours: rename, recolour, show/hide every region of a class, add one. */
function ClassList() {
  const classes = useRegionClasses((state) => state.classes);
  return (
    <details className="mt-3">
      <summary className="cursor-pointer text-sm font-semibold">Classes</summary>
      <ul className="mt-1 space-y-1" aria-label="Region classes">
        {classes.map((c) => (
          <li key={c.name} className="flex items-center gap-2 text-sm">
            <input
              type="color"
              aria-label={`Colour of ${c.name}`}
              value={rgbToHex(c.color)}
              onChange={(event) => {
                const rgb = hexToRgb(event.target.value);
                if (rgb) regionClassStore.getState().setColor(c.name, rgb);
              }}
            />
            <ClassName name={c.name} />
            <label className="text-xs text-slate-700">
              <input type="checkbox" checked={!c.hidden} onChange={(event) => regionClassStore.getState().setHidden(c.name, !event.target.checked)} /> Shown
              <span className="sr-only"> {c.name} regions</span>
            </label>
          </li>
        ))}
      </ul>
      <button type="button" className={`${small} mt-1 bg-slate-200 text-slate-900`} onClick={() => regionClassStore.getState().add()}>
        Add class
      </button>
    </details>
  );
}

function ClassName({ name }: { name: string }) {
  const [value, setValue] = useState(name);
  const commit = () => {
    const renamed = value === name ? null : regionClassStore.getState().rename(name, value);
    if (renamed) slideStore.getState().renameClassOfRois(name, renamed);
    else setValue(name);
  };
  return (
    <input
      aria-label={`Name of class ${name}`}
      value={value}
      onChange={(event) => setValue(event.target.value)}
      onBlur={commit}
      onKeyDown={(event) => event.key === 'Enter' && commit()}
      className="w-28 rounded border border-slate-300 px-1 text-sm text-slate-900"
    />
  );
}
