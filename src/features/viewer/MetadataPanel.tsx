import { memo, useEffect, useState } from 'react';
import type { AssociatedImageName, SlideSource } from '../../slide/slide-source';
import { errorDetail } from '../../ui/error-sentence';
import { displayName, levelRows, metadataRows } from './metadata-format';

const ASSOCIATED_LABEL: Record<AssociatedImageName, string> = { label: 'Label', macro: 'Macro', thumbnail: 'Thumbnail' };

/** Dimensions, levels, scale, vendor and compression, with the label/macro/thumbnail images (never over the slide). */
// Memoised: the workspace re-renders on every viewport frame, the metadata never changes for a slide.
export const MetadataPanel = memo(function MetadataPanel({ source }: { source: SlideSource }) {
  const metadata = source.metadata;
  const properties = Object.entries(metadata.properties);
  return (
    <div>
      <h2 className="text-base font-semibold break-all">{displayName(metadata.name)}</h2>
      {displayName(metadata.name) !== metadata.name && <p className="break-all text-xs text-slate-700">{metadata.name}</p>}
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm" data-testid="slide-metadata">
        {metadataRows(metadata).map((row) => (
          <div key={row.label} className="contents">
            <dt className="text-slate-600">{row.label}</dt>
            <dd data-field={row.label} className="break-words text-slate-900">
              {row.value}
            </dd>
          </div>
        ))}
      </dl>
      <h3 className="mt-3 text-sm font-semibold">Pyramid levels</h3>
      <ol className="mt-1 space-y-0.5 text-xs text-slate-800" data-testid="slide-levels">
        {levelRows(metadata).map((row) => (
          <li key={row}>{row}</li>
        ))}
      </ol>
      {metadata.associatedImages.length > 0 && (
        <>
          <h3 className="mt-3 text-sm font-semibold">Associated images</h3>
          <div className="mt-1 grid grid-cols-2 gap-2">
            {metadata.associatedImages.map((name) => (
              <AssociatedImage key={name} source={source} name={name} />
            ))}
          </div>
        </>
      )}
      {properties.length > 0 && (
        <details className="mt-3 text-xs">
          <summary className="cursor-pointer text-sm font-semibold">All properties ({properties.length})</summary>
          <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5">
            {properties.map(([key, value]) => (
              <div key={key} className="contents">
                <dt className="break-all text-slate-600">{key}</dt>
                <dd className="break-all text-slate-900">{value}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </div>
  );
});

type ImageState = { status: 'loading' } | { status: 'ready'; url: string } | { status: 'failed'; reason: string };

function AssociatedImage({ source, name }: { source: SlideSource; name: AssociatedImageName }) {
  const [state, setState] = useState<ImageState>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    let url: string | null = null;
    source
      .readAssociatedImage(name, controller.signal)
      .then(async (image) => {
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
        const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
        if (!blob) throw new Error('the browser could not encode it');
        if (controller.signal.aborted) return;
        url = URL.createObjectURL(blob);
        setState({ status: 'ready', url });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', reason: errorDetail(error) });
      });
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [source, name]);

  const label = ASSOCIATED_LABEL[name];
  return (
    <figure className="text-xs">
      {state.status === 'ready' && (
        <img src={state.url} alt={`${label} image of the slide`} className="max-h-32 w-full rounded border border-slate-200 object-contain" />
      )}
      {state.status === 'loading' && <p className="text-slate-600">Reading…</p>}
      {state.status === 'failed' && (
        <p className="text-red-800">
          Could not read the {label.toLowerCase()} image: {state.reason}
        </p>
      )}
      <figcaption className="mt-0.5 text-slate-700">{label}</figcaption>
    </figure>
  );
}
