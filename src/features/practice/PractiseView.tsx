/**
 * Practise: one question at a time from the chosen bank, those due for review first, then new ones. The trainee
 * answers first (1-9 / A-J choose, Enter submits, N next); then the right answer and the explanation, and on request
 * Patho-R1's reasoning and answer. Each answer is saved to the history and moves the question's review card on.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { optionLetter } from '../../inference/patho-r1-prompt';
import type { Question, QuestionBank } from './bank-schema';
import { ModelAnswer } from './ModelAnswer';
import { useOpenSlideInfo } from './open-slide-info';
import { practiceKeyAction } from './practice-keys';
import { imagePlacement, practiceQueue } from './practice-queue';
import { practiceHistoryStore, usePracticeHistory } from './practice-store';
import { QuestionImageView } from './QuestionImageView';
import { gradeForAnswer } from './review-schedule';

interface Answered {
  chosen: number;
  correct: boolean;
  /** When it was answered: keys the model's answer and its review to this attempt. */
  at: number;
}

/** Keys typed into a field are text, not commands. */
/** Milliseconds now, for event handlers (kept out of render). */
function timestamp(): number {
  return Date.now();
}

function isTextField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function PractiseView({
  banks,
  bankId,
  onBankChange,
  shown,
}: {
  banks: readonly QuestionBank[];
  bankId: string;
  onBankChange(id: string): void;
  shown: boolean;
}) {
  const bank = banks.find((candidate) => candidate.id === bankId) ?? banks[0];
  const cards = usePracticeHistory((state) => state.cards);
  const historyLoaded = usePracticeHistory((state) => state.loaded);
  // The queue is taken when a bank is chosen, when the history is read and after each "Next", not on every saved answer.
  const [queueAt, setQueueAt] = useState(() => Date.now());
  const queue = useMemo(
    () => (bank ? practiceQueue(bank.id, bank.questions, cards, new Date(queueAt)) : { queue: [], due: 0, nextDue: null }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- cards change with each answer; the queue only when the trainee moves on
    [bank, queueAt, historyLoaded],
  );
  const question = bank?.questions.find((q) => q.id === queue.queue[0]);
  const refresh = () => setQueueAt(Date.now());

  if (!bank) return <p className="text-slate-700">No question bank is available.</p>;

  return (
    <div className="space-y-3" data-testid="practise-view">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="practice-bank" className="font-medium">
          Bank
        </label>
        <select
          id="practice-bank"
          value={bank.id}
          onChange={(event) => onBankChange(event.target.value)}
          className="min-h-11 rounded border border-slate-300 px-2"
        >
          {banks.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.title} ({candidate.questions.length})
            </option>
          ))}
        </select>
      </div>
      <p className="text-xs text-slate-600" data-testid="practice-queue-summary">
        {queue.queue.length === 0 ? 'Nothing to practise in this bank now.' : `${queue.due} due for review, ${queue.queue.length - queue.due} new.`}
      </p>
      {!question ? (
        <div className="rounded bg-slate-50 px-3 py-2 text-slate-700" data-testid="practice-done">
          <p>
            You have answered every question in this bank
            {queue.nextDue ? `; the next one comes back for review on ${queue.nextDue.toLocaleString()}.` : '.'}
          </p>
          <button type="button" className="mt-2 min-h-11 rounded border border-slate-300 px-3 py-1" onClick={refresh}>
            Check again
          </button>
        </div>
      ) : (
        <QuestionCard
          key={`${bank.id}/${question.id}/${queueAt}`}
          bankId={bank.id}
          question={question}
          isDue={queue.queue.indexOf(question.id) < queue.due}
          shown={shown}
          onNext={refresh}
        />
      )}
    </div>
  );
}

/** One question from first look to explanation; keyed by question and queue, so each starts unanswered. */
function QuestionCard({ bankId, question, isDue, shown, onNext }: { bankId: string; question: Question; isDue: boolean; shown: boolean; onNext(): void }) {
  const open = useOpenSlideInfo();
  const [chosen, setChosen] = useState<number | null>(null);
  const [feltHard, setFeltHard] = useState(false);
  const [answered, setAnswered] = useState<Answered | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const articleRef = useRef<HTMLElement>(null);
  const placement = imagePlacement(question.image, open);

  // After "Next" the old card is gone and the focus with it: the new one takes it, so the keys go on working.
  useEffect(() => {
    if (shown && (document.activeElement === document.body || document.activeElement === null)) articleRef.current?.focus();
  }, [shown]);

  const submit = async () => {
    if (answered) return;
    if (chosen === null) {
      setProblem('Choose an option first (click it, or press its number or letter).');
      return;
    }
    setProblem(null);
    const correct = chosen === question.answer;
    const at = timestamp();
    setAnswered({ chosen, correct, at });
    await practiceHistoryStore.getState().record({
      id: crypto.randomUUID(),
      bankId,
      questionId: question.id,
      chosen,
      correct,
      answeredAt: at,
      mode: 'practice',
      grade: gradeForAnswer(correct, feltHard),
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (isTextField(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
    // The "Ask Patho-R1" section has its own buttons; Enter there presses them.
    if (event.target instanceof HTMLElement && event.target.closest('[data-testid="practice-model-answer"]')) return;
    const action = practiceKeyAction(event.key, question.options.length, answered !== null);
    if (!action) return;
    event.preventDefault();
    if (action.kind === 'choose') setChosen(action.index);
    else if (action.kind === 'submit') void submit();
    else onNext();
  };

  return (
    <article
      ref={articleRef}
      onKeyDown={onKeyDown}
      tabIndex={-1}
      aria-label="Practice question"
      aria-describedby="practice-keys-help"
      className="rounded border border-slate-200 p-3 focus:outline-2 focus:outline-amber-400"
      data-testid="practice-question"
      data-question-id={question.id}
    >
      <p className="text-xs text-slate-500">
        {isDue ? 'Review' : 'New'}
        {question.difficulty && ` · ${question.difficulty}`}
        {question.tags.length > 0 && ` · ${question.tags.join(', ')}`}
      </p>
      <h3 className="mt-1 font-medium [overflow-wrap:anywhere]">{question.stem}</h3>
      <QuestionImageView placement={placement} goKey={`${bankId}/${question.id}`} autoGo={shown} />
      <div role="group" aria-label="Options" className="mt-3 flex flex-col gap-2">
        {question.options.map((option, index) => {
          const letter = optionLetter(index);
          const isChosen = (answered?.chosen ?? chosen) === index;
          const isRight = answered !== null && index === question.answer;
          const isWrongChoice = answered !== null && isChosen && !answered.correct;
          return (
            <button
              key={`${index}-${option}`}
              type="button"
              aria-pressed={isChosen}
              disabled={answered !== null}
              onClick={() => setChosen(index)}
              data-testid="practice-option"
              className={`min-h-11 rounded border px-3 py-2 text-left [overflow-wrap:anywhere] ${
                isRight
                  ? 'border-green-700 bg-green-50 text-green-900'
                  : isWrongChoice
                    ? 'border-red-700 bg-red-50 text-red-900'
                    : isChosen
                      ? 'border-stain-hematoxylin bg-indigo-50 text-slate-900'
                      : 'border-slate-300 bg-white text-slate-900 hover:bg-slate-50'
              }`}
            >
              <span className="font-semibold">{letter}.</span> {option}
              {isRight && <span className="sr-only"> (right answer)</span>}
              {isWrongChoice && <span className="sr-only"> (your answer, wrong)</span>}
            </button>
          );
        })}
      </div>
      <p id="practice-keys-help" className="mt-2 text-xs text-slate-500">
        Keys: 1-9 or A-J choose, Enter submits, N (or Enter) goes to the next question.
      </p>
      {problem && (
        <p role="alert" className="mt-2 rounded bg-amber-50 px-2 py-1 text-amber-900">
          {problem}
        </p>
      )}
      {!answered ? (
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <button type="button" className="min-h-11 rounded bg-stain-hematoxylin px-4 py-2 text-white" onClick={() => void submit()}>
            Submit answer
          </button>
          <label className="flex min-h-11 items-center gap-2 text-slate-700">
            <input type="checkbox" checked={feltHard} onChange={(event) => setFeltHard(event.target.checked)} />
            This was hard for me
          </label>
        </div>
      ) : (
        <div className="mt-3 space-y-2">
          <p role="status" className={`font-semibold ${answered.correct ? 'text-green-800' : 'text-red-800'}`} data-testid="practice-result">
            {answered.correct ? 'Right.' : 'Not right.'} The answer is {optionLetter(question.answer)}. {question.options[question.answer]}.
          </p>
          {question.explanation && (
            <p className="whitespace-pre-wrap text-slate-800 [overflow-wrap:anywhere]" data-testid="practice-explanation">
              {question.explanation}
            </p>
          )}
          {question.source && <p className="text-xs text-slate-500">Source: {question.source}</p>}
          <button type="button" className="min-h-11 rounded border border-slate-400 px-4 py-2" onClick={onNext}>
            Next question
          </button>
          <ModelAnswer question={question} answerKey={`${bankId}:${question.id}:${answered.at}`} placement={placement} />
        </div>
      )}
    </article>
  );
}
