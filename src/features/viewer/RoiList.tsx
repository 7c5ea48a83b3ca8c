import { memo, useState, type KeyboardEvent } from 'react';
import { useSlideStore } from '../../session/slide-store';
import { formatArea, type PixelSize } from '../../session/geometry';
import { roiAreaMm2, type Roi } from '../../session/roi';

interface RoiListProps {
  pixelSize: PixelSize;
  onShow(roi: Roi): void;
}

/** Every ROI of the open slide: rename in place, show on the slide, delete. Saved per slide automatically. */
export const RoiList = memo(function RoiList({ pixelSize, onShow }: RoiListProps) {
  const rois = useSlideStore((state) => state.rois);
  const selectedRoiId = useSlideStore((state) => state.selectedRoiId);
  return (
    <div>
      <h2 className="text-base font-semibold">Regions</h2>
      {rois.length === 0 ? (
        <p className="mt-1 text-sm text-slate-700">No regions yet. Draw one with Rectangle (R) or Polygon (P).</p>
      ) : (
        <ul className="mt-2 space-y-2" aria-label="Regions of this slide">
          {rois.map((roi) => (
            <RoiItem key={roi.id} roi={roi} selected={roi.id === selectedRoiId} pixelSize={pixelSize} onShow={onShow} />
          ))}
        </ul>
      )}
    </div>
  );
});

function RoiItem({ roi, selected, pixelSize, onShow }: { roi: Roi; selected: boolean; pixelSize: PixelSize; onShow(roi: Roi): void }) {
  const renameRoi = useSlideStore((state) => state.renameRoi);
  const deleteRoi = useSlideStore((state) => state.deleteRoi);
  const selectRoi = useSlideStore((state) => state.selectRoi);
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
        {roi.shape.kind === 'rectangle' ? 'Rectangle' : 'Polygon'}, <span data-testid="roi-area">{formatArea(roiAreaMm2(roi.shape, pixelSize))}</span>
      </p>
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
        <button type="button" onClick={() => deleteRoi(roi.id)} className="rounded bg-red-100 px-2 py-0.5 text-red-900 hover:bg-red-200">
          Delete <span className="sr-only">{roi.name}</span>
        </button>
      </div>
    </li>
  );
}
