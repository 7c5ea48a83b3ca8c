/**
 * The Practice tab: Practise (one question at a time, spaced review), Exam (a timed set), Progress (charts, history
 * file) and Banks (import, export, authoring). Banks come from bankStore (the demo bank always first); the history
 * from practiceHistoryStore. A failure is a sentence here; the open slide, its regions and answers are untouched.
 */
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useAppStore } from '../../session/app-store';
import { BankManager } from './BankManager';
import { bankStore } from './bank-store';
import { DEMO_BANK } from './demo-bank';
import { ExamView } from './ExamView';
import { practiceHistoryStore, usePracticeHistory } from './practice-store';
import { PractiseView } from './PractiseView';
import { ProgressView } from './ProgressView';
import { QuestionAuthoring } from './QuestionAuthoring';

const VIEWS = [
  ['practise', 'Practise'],
  ['exam', 'Exam'],
  ['progress', 'Progress'],
  ['banks', 'Banks'],
] as const;
type View = (typeof VIEWS)[number][0];

export function PracticePanel() {
  const [view, setView] = useState<View>('practise');
  const [bankId, setBankId] = useState(DEMO_BANK.id);
  const storedBanks = useStore(bankStore, (state) => state.banks);
  const historyError = usePracticeHistory((state) => state.error);
  const tabShown = useAppStore((state) => state.activeTab === 'practice');
  // The demo bank is there even before the stored banks are read (or if reading them fails).
  const banks = storedBanks.length > 0 ? storedBanks : [DEMO_BANK];

  useEffect(() => {
    void practiceHistoryStore.getState().load();
    const banksState = bankStore.getState();
    if (!banksState.loaded) void banksState.load();
  }, []);

  return (
    <div className="space-y-3" data-testid="practice-panel">
      <div role="group" aria-label="Practice views" className="flex flex-wrap gap-1">
        {VIEWS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            aria-pressed={view === id}
            onClick={() => setView(id)}
            className={`min-h-11 flex-1 rounded border px-2 py-1 ${view === id ? 'border-stain-hematoxylin bg-stain-hematoxylin text-white' : 'border-slate-300 bg-white text-slate-800 hover:bg-slate-50'}`}
          >
            {label}
          </button>
        ))}
      </div>
      {historyError && (
        <p role="alert" className="flex items-start justify-between gap-2 rounded bg-red-50 px-2 py-1 text-red-900" data-testid="practice-error">
          <span>{historyError}</span>
          <button type="button" className="underline" onClick={() => practiceHistoryStore.getState().clearError()}>
            Dismiss
          </button>
        </p>
      )}
      {/* Every view stays mounted, so a running exam keeps its clock and answers while the trainee looks elsewhere. */}
      <div hidden={view !== 'practise'}>
        <PractiseView banks={banks} bankId={bankId} onBankChange={setBankId} shown={tabShown && view === 'practise'} />
      </div>
      <div hidden={view !== 'exam'}>
        <ExamView banks={banks} bankId={bankId} onBankChange={setBankId} shown={tabShown && view === 'exam'} />
      </div>
      <div hidden={view !== 'progress'}>
        <ProgressView banks={banks} />
      </div>
      <div hidden={view !== 'banks'} className="space-y-4">
        <BankManager />
        <QuestionAuthoring />
      </div>
    </div>
  );
}
