import { useEffect, useState, type FormEvent } from 'react';
import { modelStore, useModelStore } from '../models';
import { useSlideStore, selectedRoi } from '../../session/slide-store';
import { showRegionInViewer } from '../../session/viewer-navigation';
import { errorSentence } from '../../ui/error-sentence';
import { COLOUR_SCALE_NAMES, colourScaleGradient, type ColourScaleName } from './heatmap';
import { HitThumbnail } from './HitThumbnail';
import { IndexingProgressView } from './IndexingProgressView';
import { downloadText } from './download-file';
import { exportFileName, heatmapGeoJson, hitsGeoJson } from './search-export';
import { followSlideAndModel, searchStore, useSearchStore } from './search-session';
import type { SearchQuery } from './search-store';
import type { SlideSearchIndex } from './slide-index';
import { INDEX_MAGNIFICATIONS, tileRect } from './tile-grid';
import { appStore } from '../../session/app-store';

/** Whole-slide search: index the open slide, query it by text or by the selected region, see where it matches. */
export function SearchPanel() {
  useEffect(followSlideAndModel, []);
  const slide = useSlideStore((state) => state.slide);
  const hasEngine = useModelStore((state) => state.pathoClip.status === 'ready');
  const indexState = useSearchStore((state) => state.index);

  if (!slide) return <p className="text-slate-700">Open a slide to search it for regions that match a text or another region.</p>;
  return (
    <div className="space-y-4">
      <ModelLine />
      {hasEngine && <IndexSection />}
      {indexState.status === 'ready' && (
        <>
          <QueryForm />
          <QueryList index={indexState.index} />
          <HeatmapControls />
          <HitList index={indexState.index} />
        </>
      )}
    </div>
  );
}

function ModelLine() {
  const clip = useModelStore((state) => state.pathoClip);
  const [loading, setLoading] = useState(false);
  if (clip.status === 'ready')
    return (
      <p className="text-xs text-slate-600">
        Model: {clip.path} ({clip.info.imageSize} px tiles, {clip.info.embedDim}-dimensional embeddings)
      </p>
    );
  if (clip.status === 'loading' || loading) return <p role="status">Loading PathoCLIP…</p>;
  const load = async () => {
    setLoading(true);
    try {
      await modelStore.ensurePathoClip();
    } catch (error) {
      appStore.getState().reportError(errorSentence('PathoCLIP could not be loaded for search', error, 'Choose a model in the Models tab'));
    } finally {
      setLoading(false);
    }
  };
  return (
    <div className="space-y-2">
      {clip.status === 'error' && (
        <p role="alert" className="text-red-800">
          {clip.message}
        </p>
      )}
      <p className="text-slate-700">Search needs PathoCLIP. Load one here or in the Models tab.</p>
      <button type="button" className="rounded bg-stain-hematoxylin px-3 py-1 text-white" onClick={() => void load()}>
        Load PathoCLIP
      </button>
    </div>
  );
}

function IndexSection() {
  const indexState = useSearchStore((state) => state.index);
  const magnification = useSearchStore((state) => state.magnification);
  const { buildIndex, cancelIndexing, deleteIndex, setMagnification } = searchStore.getState();

  const startControls = (label: string) => (
    <div className="flex items-end gap-2">
      <label className="flex flex-col text-xs text-slate-600">
        Magnification
        <select
          className="rounded border border-slate-300 px-1 py-1 text-sm text-slate-900"
          value={magnification}
          onChange={(event) => setMagnification(Number(event.target.value))}
        >
          {INDEX_MAGNIFICATIONS.map((value) => (
            <option key={value} value={value}>
              {value}x
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="rounded bg-stain-hematoxylin px-3 py-1 text-white" onClick={() => void buildIndex()}>
        {label}
      </button>
    </div>
  );

  switch (indexState.status) {
    case 'no-slide':
    case 'no-model':
    case 'checking':
      return <p role="status">Looking for a saved index of this slide…</p>;
    case 'none':
      return (
        <section aria-label="Slide index" className="space-y-2">
          <p className="text-slate-700">
            This slide has no search index for this model yet. Indexing embeds every tissue tile once; it is kept in this browser.
          </p>
          {startControls('Index slide')}
        </section>
      );
    case 'indexing':
      return <IndexingProgressView progress={indexState.progress} onCancel={cancelIndexing} progressTestId="index-progress" />;
    case 'error':
      return (
        <section aria-label="Slide index" className="space-y-2">
          <p role="alert" className="text-red-800">
            {indexState.message}
          </p>
          {startControls('Index slide')}
        </section>
      );
    case 'ready': {
      const { index, restored, seconds } = indexState;
      const scale = index.grid.magnification === null ? 'full resolution (the slide has no scale)' : `${formatNumber(index.grid.magnification)}x`;
      const origin = restored ? 'restored from this browser' : seconds === null ? '' : `built in ${formatNumber(seconds)} s`;
      return (
        <section aria-label="Slide index" className="space-y-2">
          <p data-testid="index-summary">
            Indexed {index.cells.length.toLocaleString('en')} tissue tiles of {(index.grid.columns * index.grid.rows).toLocaleString('en')} at {scale}
            {origin ? `, ${origin}` : ''}.
          </p>
          <details>
            <summary className="cursor-pointer text-xs text-slate-600">Index again or delete</summary>
            <div className="mt-2 space-y-2">
              {startControls('Index again')}
              <button type="button" className="rounded border border-slate-300 px-3 py-1" onClick={() => void deleteIndex()}>
                Delete index
              </button>
            </div>
          </details>
        </section>
      );
    }
  }
}

function QueryForm() {
  const [text, setText] = useState('');
  const roi = useSlideStore(selectedRoi);
  const { searchText, searchExample } = searchStore.getState();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void searchText(text);
  };
  return (
    <section aria-label="New search" className="space-y-2">
      <form className="flex gap-2" onSubmit={submit}>
        <label className="sr-only" htmlFor="search-text">
          Search text
        </label>
        <input
          id="search-text"
          className="min-w-0 flex-1 rounded border border-slate-300 px-2 py-1"
          placeholder="e.g. mitotic figures, necrosis"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" className="rounded bg-stain-hematoxylin px-3 py-1 text-white disabled:opacity-50" disabled={!text.trim()}>
          Search
        </button>
      </form>
      <button type="button" className="rounded border border-slate-300 px-3 py-1 disabled:opacity-50" disabled={!roi} onClick={() => void searchExample()}>
        {roi ? `Search like ${roi.name}` : 'Search like the selected region'}
      </button>
      {!roi && <p className="text-xs text-slate-600">Draw or select a region to find others like it.</p>}
    </section>
  );
}

function queryStatus(query: SearchQuery): string {
  if (query.status === 'scoring') return 'scoring…';
  if (query.status === 'error') return 'failed';
  return `${formatNumber(query.milliseconds ?? 0)} ms`;
}

function QueryList({ index }: { index: SlideSearchIndex }) {
  const queries = useSearchStore((state) => state.queries);
  const shownQueryId = useSearchStore((state) => state.shownQueryId);
  const { showQuery, removeQuery } = searchStore.getState();
  if (queries.length === 0) return null;
  return (
    <fieldset className="space-y-1">
      <legend className="text-xs font-semibold text-slate-700">Searches ({index.cells.length.toLocaleString('en')} tiles each) — heatmap shown for</legend>
      {queries.map((query) => (
        <div key={query.id} className="flex items-center gap-2" data-testid="search-query" data-status={query.status}>
          <input
            type="radio"
            name="shown-query"
            id={`show-${query.id}`}
            checked={query.id === shownQueryId}
            onChange={() => showQuery(query.id)}
            disabled={query.status !== 'done'}
          />
          <label htmlFor={`show-${query.id}`} className="min-w-0 flex-1 truncate">
            {query.label}
          </label>
          <span className="text-xs text-slate-500">{queryStatus(query)}</span>
          <button type="button" className="text-xs text-slate-600 underline" aria-label={`Remove search ${query.label}`} onClick={() => removeQuery(query.id)}>
            Remove
          </button>
          {query.status === 'error' && (
            <p role="alert" className="basis-full text-red-800">
              {query.message}
            </p>
          )}
        </div>
      ))}
    </fieldset>
  );
}

function HeatmapControls() {
  const display = useSearchStore((state) => state.display);
  const query = useSearchStore((state) => state.queries.find((entry) => entry.id === state.shownQueryId));
  const queries = useSearchStore((state) => state.queries);
  const { setDisplay } = searchStore.getState();
  if (!query?.range) return null;
  const ranges = queries.flatMap((entry) => (entry.range ? [entry.range] : []));
  const range = display.sharedRange ? { min: Math.min(...ranges.map((r) => r.min)), max: Math.max(...ranges.map((r) => r.max)) } : query.range;
  return (
    <section aria-label="Heatmap" className="space-y-2">
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={display.visible} onChange={(event) => setDisplay({ visible: event.target.checked })} />
        Show heatmap
      </label>
      <label className="flex items-center gap-2 text-xs text-slate-700">
        Opacity
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={display.opacity}
          onChange={(event) => setDisplay({ opacity: Number(event.target.value) })}
          className="flex-1"
        />
      </label>
      <label className="flex items-center gap-2 text-xs text-slate-700">
        Colour scale
        <select
          className="rounded border border-slate-300 px-1 py-1 text-sm text-slate-900"
          value={display.colourScale}
          onChange={(event) => setDisplay({ colourScale: event.target.value as ColourScaleName })}
        >
          {COLOUR_SCALE_NAMES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-2 text-xs text-slate-700">
        <input type="checkbox" checked={display.sharedRange} onChange={(event) => setDisplay({ sharedRange: event.target.checked })} />
        Same colour range for all searches
      </label>
      <div aria-label="Colour legend" role="group">
        <div className="h-3 rounded" style={{ backgroundImage: colourScaleGradient(display.colourScale) }} />
        <div className="flex justify-between text-xs text-slate-600">
          <span>{range.min.toFixed(3)}</span>
          <span>cosine similarity</span>
          <span>{range.max.toFixed(3)}</span>
        </div>
      </div>
    </section>
  );
}

function HitList({ index }: { index: SlideSearchIndex }) {
  const query = useSearchStore((state) => state.queries.find((entry) => entry.id === state.shownQueryId));
  const colourScale = useSearchStore((state) => state.display.colourScale);
  const slide = useSlideStore((state) => state.slide);
  if (!query?.hits || !query.scores || !slide) return null;
  const exported = { label: query.label, scores: query.scores, hits: query.hits };
  const side = index.grid.tileSideLevel0;
  return (
    <section aria-label="Best matches" className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          className="rounded border border-slate-300 px-2 py-1 text-xs"
          onClick={() => downloadText(exportFileName(slide.metadata.name, query.label, 'hits'), JSON.stringify(hitsGeoJson(index, exported, colourScale)))}
        >
          Export hits (GeoJSON)
        </button>
        <button
          type="button"
          className="rounded border border-slate-300 px-2 py-1 text-xs"
          onClick={() =>
            downloadText(exportFileName(slide.metadata.name, query.label, 'heatmap'), JSON.stringify(heatmapGeoJson(index, exported, colourScale)))
          }
        >
          Export heatmap (GeoJSON)
        </button>
      </div>
      <ol className="space-y-1">
        {query.hits.map((hit, rank) => {
          const rect = tileRect(index.grid, index.cells[hit.tile]!);
          return (
            <li key={hit.tile}>
              <button
                type="button"
                data-testid="search-hit"
                className="flex w-full items-center gap-2 rounded p-1 text-left hover:bg-slate-50"
                // Show the tile with a tile of context on every side.
                onClick={() => showRegionInViewer({ x: rect.x - side, y: rect.y - side, width: 3 * side, height: 3 * side })}
              >
                <HitThumbnail source={slide.source} rect={rect} targetMpp={index.grid.targetMpp} label={`Match ${rank + 1}`} />
                <span className="flex-1">
                  #{rank + 1} · similarity {hit.score.toFixed(3)}
                  <span className="block text-xs text-slate-500">
                    at x {Math.round(rect.x)}, y {Math.round(rect.y)}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}
