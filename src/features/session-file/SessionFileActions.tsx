/** "Export session" / "Import session" for the open slide (in the slide details drawer, next to GeoJSON). */
import { useState } from 'react';
import { useSlideStore } from '../../session/slide-store';
import { errorDetail } from '../../ui/error-sentence';
import { exportOpenSession, importSessionFile } from './session-io';

function download(fileName: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function SessionFileActions() {
  const slide = useSlideStore((state) => state.slide);
  const [busy, setBusy] = useState(false);
  const [notes, setNotes] = useState<string[]>([]);
  if (!slide) return null;
  const button = 'rounded bg-slate-200 px-2 py-1 text-xs text-slate-900 disabled:opacity-50';
  const onExport = async () => {
    setBusy(true);
    try {
      const exported = await exportOpenSession();
      if (exported) {
        download(exported.fileName, exported.bytes);
        setNotes([exported.summary]);
      }
    } catch (error) {
      setNotes([`The session could not be exported: ${errorDetail(error).replace(/\.$/, '')}.`]);
    } finally {
      setBusy(false);
    }
  };
  const onImport = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      const result = await importSessionFile(file);
      setNotes([result.summary, ...result.problems]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-label="Session file" className="text-sm">
      <h3 className="font-medium">Session</h3>
      <p className="text-xs text-slate-600">Regions, Ask conversations and reviews of this slide, as one file.</p>
      <div className="mt-1 flex gap-2">
        <button type="button" className={button} onClick={() => void onExport()} disabled={busy}>
          Export session
        </button>
        <label className={`${button} cursor-pointer focus-within:outline-2`}>
          Import session
          <input
            type="file"
            accept=".zip,application/zip"
            className="sr-only"
            disabled={busy}
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = '';
              void onImport(file);
            }}
          />
        </label>
      </div>
      {notes.length > 0 && (
        <div role="status" data-testid="session-file-notes">
          <ul className="mt-1 list-disc pl-4 text-xs text-slate-800">
            {notes.map((note, index) => (
              <li key={index}>{note}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
