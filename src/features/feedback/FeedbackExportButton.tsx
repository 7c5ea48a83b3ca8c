/** Downloads every saved piece of feedback as one zip of training data (sft.jsonl, rl.jsonl, images/). */
import { useState } from 'react';
import { browserFeedbackStore, type FeedbackStore } from './feedback-db';
import { feedbackExportZip } from './feedback-export';

function downloadBytes(fileName: string, bytes: Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function FeedbackExportButton({ store }: { store?: FeedbackStore }) {
  const feedback = store ?? browserFeedbackStore();
  const [message, setMessage] = useState('');
  return (
    <div className="flex items-center gap-2 text-xs">
      <button
        type="button"
        className="rounded border border-slate-300 bg-white px-2 py-0.5 text-slate-700"
        onClick={async () => {
          try {
            const records = await feedback.all();
            if (records.length === 0) {
              setMessage('No feedback saved yet: mark an answer correct or incorrect first.');
              return;
            }
            const now = new Date();
            downloadBytes(`patholens-feedback-${now.toISOString().slice(0, 10)}.zip`, feedbackExportZip(records, now), 'application/zip');
            setMessage(`Exported ${records.length} piece${records.length === 1 ? '' : 's'} of feedback.`);
          } catch (error) {
            setMessage(`The feedback could not be exported (${error instanceof Error ? error.message : String(error)}).`);
          }
        }}
      >
        Export feedback as training data
      </button>
      <span role="status">{message}</span>
    </div>
  );
}
