/**
 * Progress: share right per tag (weakest first) and per day, as plain SVG bar charts each with a table for screen
 * readers; questions due now; export and import of the trainee's history as one JSON file.
 */
import { useId, useState, type ChangeEvent } from 'react';
import { errorDetail } from '../../ui/error-sentence';
import { downloadText } from '../search';
import type { QuestionBank } from './bank-schema';
import { progressByDay, progressByTag, type Tally } from './progress';
import { practiceHistoryStore, usePracticeHistory } from './practice-store';
import { dueForReview } from './review-schedule';

const percent = (t: Tally) => Math.round((100 * t.correct) / t.answered);

/** Horizontal bars, one per tally: label, bar for the share right, "n/m" at the end. */
function TallyChart({ title, keyLabel, tallies, testId }: { title: string; keyLabel: string; tallies: readonly Tally[]; testId: string }) {
  const captionId = useId();
  const rowHeight = 22;
  const labelWidth = 110;
  const barWidth = 160;
  const width = labelWidth + barWidth + 70;
  const height = tallies.length * rowHeight + 4;
  return (
    <figure className="space-y-1" data-testid={testId}>
      <figcaption id={captionId} className="font-medium">
        {title}
      </figcaption>
      <svg width="100%" viewBox={`0 0 ${width} ${height}`} aria-hidden="true" className="max-w-md" focusable="false">
        {tallies.map((t, index) => {
          const y = index * rowHeight + 2;
          const share = t.correct / t.answered;
          const label = t.key.length > 16 ? `${t.key.slice(0, 15)}…` : t.key;
          return (
            <g key={t.key}>
              <text x={labelWidth - 6} y={y + 14} textAnchor="end" fontSize="11" fill="#334155">
                {label}
              </text>
              <rect x={labelWidth} y={y + 2} width={barWidth} height={rowHeight - 6} fill="#e2e8f0" />
              <rect
                x={labelWidth}
                y={y + 2}
                width={barWidth * share}
                height={rowHeight - 6}
                fill={share >= 0.7 ? '#15803d' : share >= 0.4 ? '#b45309' : '#b91c1c'}
              />
              <text x={labelWidth + barWidth + 6} y={y + 14} fontSize="11" fill="#334155">
                {t.correct}/{t.answered}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="sr-only" aria-labelledby={captionId}>
        <thead>
          <tr>
            <th scope="col">{keyLabel}</th>
            <th scope="col">Answered</th>
            <th scope="col">Right</th>
            <th scope="col">Share right</th>
          </tr>
        </thead>
        <tbody>
          {tallies.map((t) => (
            <tr key={t.key}>
              <th scope="row">{t.key}</th>
              <td>{t.answered}</td>
              <td>{t.correct}</td>
              <td>{percent(t)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function ProgressView({ banks }: { banks: readonly QuestionBank[] }) {
  const attempts = usePracticeHistory((state) => state.attempts);
  const cards = usePracticeHistory((state) => state.cards);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const questions = banks.flatMap((bank) => bank.questions);
  const byTag = progressByTag(attempts, questions);
  const byDay = progressByDay(attempts);
  const right = attempts.filter((a) => a.correct).length;
  const dueNow = dueForReview(cards, new Date()).length;

  const exportFile = async () => {
    try {
      const text = await practiceHistoryStore.getState().exportText();
      downloadText(`patholens-progress-${new Date().toISOString().slice(0, 10)}.json`, text, 'application/json');
      setMessage({ kind: 'ok', text: `Exported ${attempts.length} answers.` });
    } catch (error) {
      setMessage({ kind: 'error', text: `The progress could not be exported: ${errorDetail(error).replace(/\.$/, '')}.` });
    }
  };

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    try {
      if (file.size > 50 * 1024 * 1024) throw new Error('This file is over 50 MB; a progress file is much smaller. Choose the file Export progress made.');
      const added = await practiceHistoryStore.getState().importText(await file.text());
      setMessage({ kind: 'ok', text: `Imported ${file.name}: ${added} new answer${added === 1 ? '' : 's'} added; nothing here was lost.` });
    } catch (error) {
      setMessage({ kind: 'error', text: `${file.name} was not imported: ${errorDetail(error)}` });
    }
  };

  return (
    <div className="space-y-4" data-testid="progress-view">
      <p data-testid="progress-summary">
        {attempts.length === 0
          ? 'No answers yet: practise or take an exam and your progress appears here.'
          : `${attempts.length} answer${attempts.length === 1 ? '' : 's'}, ${right} right (${Math.round((100 * right) / attempts.length)}%). ${dueNow} question${dueNow === 1 ? '' : 's'} due for review now.`}
      </p>
      {byTag.length > 0 && <TallyChart title="By tag (weakest first)" keyLabel="Tag" tallies={byTag} testId="progress-by-tag" />}
      {byDay.length > 0 && <TallyChart title="By day (UTC)" keyLabel="Day" tallies={byDay} testId="progress-by-day" />}
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className="min-h-11 rounded border border-slate-400 px-3 py-1" onClick={() => void exportFile()}>
          Export progress
        </button>
        <label className="flex min-h-11 cursor-pointer items-center rounded border border-slate-400 px-3 py-1 focus-within:outline-2 focus-within:outline-amber-400">
          Import progress
          <input type="file" accept=".json,application/json" className="sr-only" onChange={(event) => void importFile(event)} />
        </label>
      </div>
      {message && (
        <p
          role={message.kind === 'error' ? 'alert' : 'status'}
          className={message.kind === 'error' ? 'rounded bg-red-50 px-2 py-1 text-red-900' : 'text-green-800'}
        >
          {message.text}
        </p>
      )}
    </div>
  );
}
