/**
 * Exam: a timed set drawn by tags, difficulty and size (exam.ts). No hints; answers change freely until the exam is
 * submitted (or time runs out); then a score and a review of every question with its explanation. Every answer is
 * saved to the history as an exam answer (an unanswered question as wrong).
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { optionLetter } from '../../inference/patho-r1-prompt';
import type { QuestionBank } from './bank-schema';
import { chooseExamAnswer, scoreExam, selectExamQuestions, timeLeft, type Difficulty, type ExamAnswers, type ExamResult } from './exam';
import type { Question } from './bank-schema';
import { useOpenSlideInfo } from './open-slide-info';
import { imagePlacement } from './practice-queue';
import { practiceHistoryStore } from './practice-store';
import { QuestionImageView } from './QuestionImageView';
import { gradeForAnswer } from './review-schedule';

const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard'];

type Phase =
  | { kind: 'setup' }
  | { kind: 'running'; bankId: string; questions: Question[]; answers: ExamAnswers; current: number; startedAt: number; limitSeconds: number; note?: string }
  | { kind: 'done'; bankId: string; result: ExamResult; timedOut: boolean };

export function ExamView({
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
  const [phase, setPhase] = useState<Phase>({ kind: 'setup' });
  const [tags, setTags] = useState<string[]>([]);
  const [difficulties, setDifficulties] = useState<Difficulty[]>([]);
  const [size, setSize] = useState('10');
  const [minutes, setMinutes] = useState('10');
  const [problem, setProblem] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const id = useId();
  const open = useOpenSlideInfo();

  const bankTags = useMemo(() => [...new Set(bank?.questions.flatMap((q) => q.tags) ?? [])].sort(), [bank]);

  const finish = async (timedOut: boolean) => {
    if (phase.kind !== 'running') return;
    const result = scoreExam(phase.questions, phase.answers);
    setPhase({ kind: 'done', bankId: phase.bankId, result, timedOut });
    const at = Date.now();
    for (const item of result.review) {
      await practiceHistoryStore.getState().record({
        id: crypto.randomUUID(),
        bankId: phase.bankId,
        questionId: item.question.id,
        chosen: item.chosen ?? -1,
        correct: item.correct,
        answeredAt: at,
        mode: 'exam',
        grade: gradeForAnswer(item.correct),
      });
    }
  };

  const left = phase.kind === 'running' ? timeLeft(phase.startedAt, phase.limitSeconds, now) : null;

  // The clock ticks while an exam runs; when time is up the exam is submitted as it stands.
  const latestFinish = useRef(finish);
  useEffect(() => {
    latestFinish.current = finish;
  });
  const startedAt = phase.kind === 'running' ? phase.startedAt : null;
  const limitSeconds = phase.kind === 'running' ? phase.limitSeconds : null;
  useEffect(() => {
    if (startedAt === null || limitSeconds === null) return;
    const timer = setInterval(() => {
      const tick = Date.now();
      setNow(tick);
      if (timeLeft(startedAt, limitSeconds, tick).seconds === 0) {
        clearInterval(timer);
        void latestFinish.current(true);
      }
    }, 500);
    return () => clearInterval(timer);
  }, [startedAt, limitSeconds]);

  if (!bank) return <p className="text-slate-700">No question bank is available.</p>;

  const start = () => {
    const wanted = Number(size);
    const limit = Number(minutes);
    if (!Number.isInteger(wanted) || wanted < 1) {
      setProblem('The number of questions must be a whole number of at least 1.');
      return;
    }
    if (!Number.isFinite(limit) || limit <= 0 || limit > 600) {
      setProblem('The time limit must be more than 0 and at most 600 minutes.');
      return;
    }
    const selection = selectExamQuestions(bank.questions, { tags, difficulties, size: wanted, seed: Math.floor(Math.random() * 2 ** 31) });
    if (selection.questions.length === 0) {
      setProblem(selection.note ?? 'No question matches these filters.');
      return;
    }
    setProblem(null);
    const startedAt = Date.now();
    setNow(startedAt);
    setPhase({
      kind: 'running',
      bankId: bank.id,
      questions: selection.questions,
      answers: {},
      current: 0,
      startedAt,
      limitSeconds: Math.round(limit * 60),
      note: selection.note,
    });
  };

  const toggle = <T,>(list: T[], value: T) => (list.includes(value) ? list.filter((item) => item !== value) : [...list, value]);
  const small = 'min-h-11 rounded border border-slate-300 px-3 py-1';

  if (phase.kind === 'setup') {
    return (
      <form
        className="space-y-3"
        aria-label="New exam"
        onSubmit={(event) => {
          event.preventDefault();
          start();
        }}
      >
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor={`${id}-bank`} className="font-medium">
            Bank
          </label>
          <select
            id={`${id}-bank`}
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
        <fieldset>
          <legend className="font-medium">Tags (none ticked: all)</legend>
          <div className="flex flex-wrap gap-x-3">
            {bankTags.map((tag) => (
              <label key={tag} className="flex min-h-11 items-center gap-1">
                <input type="checkbox" checked={tags.includes(tag)} onChange={() => setTags(toggle(tags, tag))} />
                {tag}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend className="font-medium">Difficulty (none ticked: all)</legend>
          <div className="flex flex-wrap gap-x-3">
            {DIFFICULTIES.map((difficulty) => (
              <label key={difficulty} className="flex min-h-11 items-center gap-1">
                <input type="checkbox" checked={difficulties.includes(difficulty)} onChange={() => setDifficulties(toggle(difficulties, difficulty))} />
                {difficulty}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="flex flex-wrap gap-4">
          <label className="flex items-center gap-2">
            Questions
            <input
              type="number"
              min={1}
              value={size}
              onChange={(event) => setSize(event.target.value)}
              className="w-20 rounded border border-slate-300 px-2 py-1"
            />
          </label>
          <label className="flex items-center gap-2">
            Minutes
            <input
              type="number"
              min={1}
              value={minutes}
              onChange={(event) => setMinutes(event.target.value)}
              className="w-20 rounded border border-slate-300 px-2 py-1"
            />
          </label>
        </div>
        {problem && (
          <p role="alert" className="rounded bg-amber-50 px-2 py-1 text-amber-900">
            {problem}
          </p>
        )}
        <button type="submit" className="min-h-11 rounded bg-stain-hematoxylin px-4 py-2 text-white">
          Start exam
        </button>
      </form>
    );
  }

  if (phase.kind === 'running') {
    const question = phase.questions[phase.current]!;
    const answeredCount = Object.keys(phase.answers).length;
    const placement = imagePlacement(question.image, open);
    return (
      <div className="space-y-3" data-testid="exam-running">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="font-medium">
            Question {phase.current + 1} of {phase.questions.length} · {answeredCount} answered
          </p>
          <p className="font-mono" aria-label={`Time left ${left?.label ?? ''}`} data-testid="exam-time-left">
            {left?.label}
          </p>
        </div>
        {phase.note && <p className="text-xs text-slate-600">{phase.note}</p>}
        <nav aria-label="Exam questions" className="flex flex-wrap gap-1">
          {phase.questions.map((q, index) => (
            <button
              key={q.id}
              type="button"
              aria-current={index === phase.current ? 'step' : undefined}
              aria-label={`Question ${index + 1}${q.id in phase.answers ? ', answered' : ''}`}
              onClick={() => setPhase({ ...phase, current: index })}
              className={`min-h-11 min-w-11 rounded border ${index === phase.current ? 'border-stain-hematoxylin font-semibold' : 'border-slate-300'} ${q.id in phase.answers ? 'bg-slate-100' : 'bg-white'}`}
            >
              {index + 1}
            </button>
          ))}
        </nav>
        <article aria-label={`Exam question ${phase.current + 1}`} className="rounded border border-slate-200 p-3" data-testid="exam-question">
          <h3 className="font-medium [overflow-wrap:anywhere]">{question.stem}</h3>
          <QuestionImageView placement={placement} goKey={`exam/${phase.startedAt}/${question.id}`} autoGo={shown} />
          <div role="group" aria-label="Options" className="mt-3 flex flex-col gap-2">
            {question.options.map((option, index) => {
              const chosen = phase.answers[question.id] === index;
              return (
                <button
                  key={`${index}-${option}`}
                  type="button"
                  aria-pressed={chosen}
                  onClick={() => setPhase({ ...phase, answers: chooseExamAnswer(phase.answers, question.id, index) })}
                  className={`min-h-11 rounded border px-3 py-2 text-left [overflow-wrap:anywhere] ${chosen ? 'border-stain-hematoxylin bg-indigo-50' : 'border-slate-300 bg-white hover:bg-slate-50'}`}
                >
                  <span className="font-semibold">{optionLetter(index)}.</span> {option}
                </button>
              );
            })}
          </div>
        </article>
        <div className="flex flex-wrap gap-2">
          <button type="button" className={small} disabled={phase.current === 0} onClick={() => setPhase({ ...phase, current: phase.current - 1 })}>
            Previous
          </button>
          <button
            type="button"
            className={small}
            disabled={phase.current === phase.questions.length - 1}
            onClick={() => setPhase({ ...phase, current: phase.current + 1 })}
          >
            Next
          </button>
          <button type="button" className="min-h-11 rounded bg-stain-hematoxylin px-4 py-2 text-white" onClick={() => void finish(false)}>
            Submit exam
          </button>
        </div>
        {answeredCount < phase.questions.length && (
          <p className="text-xs text-slate-600">{phase.questions.length - answeredCount} unanswered: they count as wrong if you submit now.</p>
        )}
      </div>
    );
  }

  const { result } = phase;
  return (
    <div className="space-y-3" data-testid="exam-result">
      <p role="status" className="text-base font-semibold" data-testid="exam-score">
        {phase.timedOut ? 'Time is up. ' : ''}Score: {result.correct} of {result.total} ({result.percent}%).
      </p>
      <ol aria-label="Exam review" className="space-y-2">
        {result.review.map((item, index) => (
          <li key={item.question.id} className="rounded border border-slate-200 p-2" data-testid="exam-review-item" data-correct={item.correct}>
            <p className="font-medium [overflow-wrap:anywhere]">
              {index + 1}. {item.question.stem}
            </p>
            <p className={item.correct ? 'text-green-800' : 'text-red-800'}>
              {item.correct ? 'Right' : 'Wrong'}: your answer{' '}
              {item.chosen === null ? 'none' : `${optionLetter(item.chosen)}. ${item.question.options[item.chosen]}`}; the answer{' '}
              {optionLetter(item.question.answer)}. {item.question.options[item.question.answer]}.
            </p>
            {item.question.explanation && <p className="text-slate-700 [overflow-wrap:anywhere]">{item.question.explanation}</p>}
          </li>
        ))}
      </ol>
      <button type="button" className="min-h-11 rounded border border-slate-400 px-4 py-2" onClick={() => setPhase({ kind: 'setup' })}>
        New exam
      </button>
    </div>
  );
}
