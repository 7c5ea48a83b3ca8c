/**
 * Practice → Banks → "Write a question": a teacher with a slide open selects (or draws) a region, writes the stem,
 * 2-10 options, marks the right one, adds an explanation (or lets Patho-R1 draft one to edit), tags and difficulty,
 * and adds the question to a bank. The question's image is the region in level-0 pixels on that slide ('demo' for
 * the built-in demo slide), so practising it opens the slide there. Problems are said next to their field.
 */
import { useEffect, useRef, useState } from 'react';
import { DEFAULT_GENERATION_SETTINGS } from '../../inference/generation-settings';
import { optionLetter } from '../../inference/patho-r1-prompt';
import { roiBounds } from '../../session/roi';
import { slideStore, useSlideStore } from '../../session/slide-store';
import { showRegionInViewer } from '../../session/viewer-navigation';
import { errorDetail } from '../../ui/error-sentence';
import { streamAnswer } from '../ask';
import { modelStore } from '../models';
import { BANK_FORMAT, type QuestionImage } from './bank-schema';
import { bankIdFromName } from './bank-import';
import { bankStore, MY_QUESTIONS_BANK_ID, MY_QUESTIONS_TITLE, useBankStore } from './bank-store';
import { DEMO_BANK } from './demo-bank';
import { useOpenSlideInfo } from './open-slide-info';
import { practiceDependencies, readRegionForModel } from './practice-engine';
import {
  checkQuestionForm,
  draftExplanationMessages,
  draftExplanationText,
  EMPTY_FORM,
  MAX_OPTIONS,
  MIN_OPTIONS,
  newQuestionId,
  questionRegion,
  questionSlideName,
  type Difficulty,
  type FormField,
  type FormProblems,
  type QuestionForm,
} from './question-authoring';

const NEW_BANK = '__new-bank__';
const input = 'w-full rounded border border-slate-400 px-2 py-1';
const button = 'min-h-11 rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50 disabled:opacity-50';

type DraftStatus = 'idle' | 'loading' | 'reading' | 'streaming' | 'done' | 'stopped' | 'error';
const DRAFT_LABEL: Record<DraftStatus, string> = {
  idle: '',
  loading: 'Loading Patho-R1…',
  reading: 'Reading the region…',
  streaming: 'Patho-R1 is writing a draft…',
  done: 'Draft ready: edit it before adding the question.',
  stopped: 'Stopped: the draft so far is kept.',
  error: '',
};

function FieldProblem({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <p id={id} className="text-sm text-red-800" data-testid={id}>
      {text}
    </p>
  );
}

export function QuestionAuthoring() {
  const openSlide = useOpenSlideInfo();
  const slide = useSlideStore((state) => state.slide);
  const rois = useSlideStore((state) => state.rois);
  const selectedRoiId = useSlideStore((state) => state.selectedRoiId);
  const banks = useBankStore((state) => state.banks);
  const [form, setForm] = useState<QuestionForm>(EMPTY_FORM);
  const [problems, setProblems] = useState<FormProblems>({});
  const [chosenTarget, setTarget] = useState<string>(MY_QUESTIONS_BANK_ID);
  const [newBankTitle, setNewBankTitle] = useState('');
  const [newBankProblem, setNewBankProblem] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [saveProblem, setSaveProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [draftStatus, setDraftStatus] = useState<DraftStatus>('idle');
  const [draftProblem, setDraftProblem] = useState<string | null>(null);
  const [draftBackend, setDraftBackend] = useState('');
  const [replacedExplanation, setReplacedExplanation] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);

  // A draft in progress stops when the form goes away.
  useEffect(() => () => controller.current?.abort(), []);

  const ownBanks = banks.filter((bank) => bank.id !== DEMO_BANK.id);
  const hasMyQuestions = ownBanks.some((bank) => bank.id === MY_QUESTIONS_BANK_ID);
  // A bank that went away (deleted) falls back to "My questions".
  const target =
    chosenTarget === NEW_BANK || chosenTarget === MY_QUESTIONS_BANK_ID || ownBanks.some((bank) => bank.id === chosenTarget)
      ? chosenTarget
      : MY_QUESTIONS_BANK_ID;

  const roi = rois.find((candidate) => candidate.id === selectedRoiId) ?? null;
  const region = slide && roi ? questionRegion(roiBounds(roi.shape), slide.metadata) : null;
  const image: QuestionImage | null = openSlide && region ? { kind: 'slide-region', slide: questionSlideName(openSlide), region } : null;
  const drafting = draftStatus === 'loading' || draftStatus === 'reading' || draftStatus === 'streaming';

  const update = (patch: Partial<QuestionForm>, fields: FormField[]) => {
    setForm((current) => ({ ...current, ...patch }));
    setAdded(null);
    if (fields.some((field) => problems[field]))
      setProblems((current) => Object.fromEntries(Object.entries(current).filter(([field]) => !fields.includes(field as FormField))));
  };

  const setOption = (index: number, text: string) => update({ options: form.options.map((option, i) => (i === index ? text : option)) }, ['options']);
  const addOption = () => form.options.length < MAX_OPTIONS && update({ options: [...form.options, ''] }, ['options']);
  const removeOption = (index: number) => {
    if (form.options.length <= MIN_OPTIONS) return;
    const answer = form.answer === null || form.answer === index ? null : form.answer > index ? form.answer - 1 : form.answer;
    update({ options: form.options.filter((_, i) => i !== index), answer }, ['options', 'answer']);
  };

  const takenIds = (bankId: string) => new Set((banks.find((bank) => bank.id === bankId)?.questions ?? []).map((q) => q.id));

  const addToBank = async () => {
    setSaveProblem(null);
    setAdded(null);
    const bankId = target === NEW_BANK ? null : target;
    const checked = checkQuestionForm(form, newQuestionId(form.stem, takenIds(bankId ?? '')), image);
    const title = newBankTitle.trim();
    const bankProblem = target === NEW_BANK && !title ? 'Name the new bank.' : null;
    setNewBankProblem(bankProblem);
    if (!checked.ok || bankProblem) {
      setProblems(checked.ok ? {} : checked.problems);
      return;
    }
    setProblems({});
    setSaving(true);
    try {
      let savedId: string;
      if (bankId === null) {
        const existing = new Set(banks.map((bank) => bank.id));
        const base = bankIdFromName(title);
        let id = base;
        for (let n = 2; existing.has(id); n++) id = `${base}-${n}`;
        await bankStore.getState().save({ format: BANK_FORMAT, version: 1, id, title, questions: [checked.question] });
        setTarget(id);
        setNewBankTitle('');
        savedId = id;
      } else {
        await bankStore.getState().addQuestion(bankId, checked.question);
        savedId = bankId;
      }
      const saved = bankStore.getState().banks.find((bank) => bank.id === savedId);
      const count = saved?.questions.length ?? 1;
      setAdded(`Added “${checked.question.stem.trim()}” to “${saved?.title ?? MY_QUESTIONS_TITLE}” (${count} question${count === 1 ? '' : 's'} there).`);
      // The next question keeps the bank, tags, difficulty and source; its own text starts empty.
      setForm((current) => ({ ...EMPTY_FORM, tags: current.tags, difficulty: current.difficulty, source: current.source }));
      setReplacedExplanation(null);
      setDraftStatus('idle');
    } catch (error) {
      // The form keeps everything the teacher wrote.
      setSaveProblem(errorDetail(error));
    } finally {
      setSaving(false);
    }
  };

  const draftExplanation = async () => {
    setDraftProblem(null);
    const checked = checkQuestionForm(form, 'draft', image);
    if (!checked.ok) {
      const needed: FormField[] = ['image', 'stem', 'options', 'answer'];
      const relevant = Object.fromEntries(Object.entries(checked.problems).filter(([field]) => needed.includes(field as FormField)));
      if (Object.keys(relevant).length > 0) {
        setProblems(relevant);
        setDraftProblem('Patho-R1 needs the region, the question, its options and the marked answer to draft an explanation.');
        return;
      }
    }
    const open = slideStore.getState().slide;
    if (!open || !region) return;
    const abort = new AbortController();
    controller.current = abort;
    const before = form.explanation;
    setDraftStatus('loading');
    try {
      await modelStore.ensurePathoR1('practice');
    } catch (error) {
      if (controller.current === abort) controller.current = null;
      setDraftStatus('error');
      setDraftProblem(`Patho-R1 is not ready: ${errorDetail(error).replace(/\.$/, '')}. Load it in the Models tab, then try again.`);
      return;
    }
    if (abort.signal.aborted) return setDraftStatus('stopped');
    setDraftBackend(modelStore.pathoR1Label('practice'));
    setDraftStatus('reading');
    let pixels;
    try {
      pixels = await readRegionForModel(open.source, region, abort.signal);
    } catch (error) {
      if (controller.current === abort) controller.current = null;
      setDraftStatus(abort.signal.aborted ? 'stopped' : 'error');
      if (!abort.signal.aborted) setDraftProblem(`The region could not be read: ${errorDetail(error).replace(/\.$/, '')}.`);
      return;
    }
    setDraftStatus('streaming');
    setReplacedExplanation(before.trim() ? before : null);
    const question = { stem: form.stem, options: form.options, answer: form.answer ?? 0 };
    const request = { messages: draftExplanationMessages(question), images: [pixels], settings: DEFAULT_GENERATION_SETTINGS };
    const final = await streamAnswer(practiceDependencies(), request, abort.signal, (patch) => {
      setForm((current) => ({ ...current, explanation: draftExplanationText(patch.reasoning, patch.answer) }));
    });
    if (controller.current === abort) controller.current = null;
    const text = draftExplanationText(final.reasoning, final.answer);
    setForm((current) => ({ ...current, explanation: text || current.explanation }));
    if (final.status === 'error') {
      setDraftStatus('error');
      setDraftProblem(final.error ?? 'Patho-R1 stopped with an error; the text so far is kept.');
    } else setDraftStatus(final.status ?? 'done');
  };

  const stopDraft = () => controller.current?.abort();

  const describedBy = (field: FormField) => (problems[field] ? `authoring-${field}-problem` : undefined);

  return (
    <section aria-labelledby="authoring-heading" className="space-y-3 rounded border border-slate-200 p-3" data-testid="question-authoring">
      <h3 id="authoring-heading" className="font-semibold">
        Write a question on this slide
      </h3>

      <div className="text-sm" data-testid="authoring-region">
        {!openSlide ? (
          <p>Open a slide, then select or draw a region on it: the question will be asked about that region.</p>
        ) : region && roi ? (
          <p className="flex flex-wrap items-center gap-2">
            <span>
              Region “{roi.name}” on {openSlide.isDemo ? 'the demo slide' : questionSlideName(openSlide)}: x {region.x}, y {region.y}, {region.width} ×{' '}
              {region.height} px (level 0).
            </span>
            <button type="button" className={button} onClick={() => showRegionInViewer(region)}>
              Show it
            </button>
          </p>
        ) : (
          <p>No region is selected: draw one with the region tools in the viewer's toolbar, or select one on the slide.</p>
        )}
        <FieldProblem id="authoring-image-problem" text={problems.image} />
      </div>

      <div>
        <label htmlFor="authoring-stem" className="block text-sm font-medium">
          Question
        </label>
        <textarea
          id="authoring-stem"
          rows={3}
          className={input}
          value={form.stem}
          aria-invalid={!!problems.stem}
          aria-describedby={describedBy('stem')}
          onChange={(event) => update({ stem: event.target.value }, ['stem'])}
        />
        <FieldProblem id="authoring-stem-problem" text={problems.stem} />
      </div>

      <fieldset className="space-y-1" aria-describedby={[describedBy('options'), describedBy('answer')].filter(Boolean).join(' ') || undefined}>
        <legend className="text-sm font-medium">Options (mark the right one)</legend>
        {form.options.map((option, index) => {
          const letter = optionLetter(index);
          return (
            <div key={index} className="flex items-center gap-2">
              <input
                type="radio"
                name="authoring-answer"
                className="h-5 w-5"
                checked={form.answer === index}
                onChange={() => update({ answer: index }, ['answer'])}
                aria-label={`Option ${letter} is the right answer`}
              />
              <span className="w-4 font-mono">{letter}</span>
              <input type="text" className={input} value={option} aria-label={`Option ${letter}`} onChange={(event) => setOption(index, event.target.value)} />
              <button
                type="button"
                className={button}
                disabled={form.options.length <= MIN_OPTIONS}
                onClick={() => removeOption(index)}
                aria-label={`Remove option ${letter}`}
              >
                ×
              </button>
            </div>
          );
        })}
        <button type="button" className={button} disabled={form.options.length >= MAX_OPTIONS} onClick={addOption}>
          Add an option
        </button>
        <FieldProblem id="authoring-options-problem" text={problems.options} />
        <FieldProblem id="authoring-answer-problem" text={problems.answer} />
      </fieldset>

      <div>
        <label htmlFor="authoring-explanation" className="block text-sm font-medium">
          Explanation
        </label>
        <textarea
          id="authoring-explanation"
          rows={5}
          className={input}
          value={form.explanation}
          readOnly={drafting}
          aria-busy={drafting}
          aria-describedby={describedBy('explanation')}
          onChange={(event) => update({ explanation: event.target.value }, ['explanation'])}
        />
        <div className="mt-1 flex flex-wrap items-center gap-2" data-testid="authoring-draft" data-status={draftStatus}>
          {drafting ? (
            <button type="button" className={button} onClick={stopDraft}>
              Stop
            </button>
          ) : (
            <button type="button" className={button} onClick={() => void draftExplanation()}>
              Draft explanation with Patho-R1
            </button>
          )}
          {replacedExplanation !== null && !drafting && (
            <button
              type="button"
              className={button}
              onClick={() => {
                update({ explanation: replacedExplanation }, ['explanation']);
                setReplacedExplanation(null);
              }}
            >
              Put back my text
            </button>
          )}
          <span className="text-sm text-slate-700" role="status">
            {DRAFT_LABEL[draftStatus]}
            {draftBackend && draftStatus !== 'idle' ? ` (${draftBackend})` : ''}
          </span>
        </div>
        {draftProblem && (
          <p role="alert" className="text-sm text-red-800">
            {draftProblem}
          </p>
        )}
        <FieldProblem id="authoring-explanation-problem" text={problems.explanation} />
      </div>

      <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
        <div>
          <label htmlFor="authoring-tags" className="block text-sm font-medium">
            Tags (separated by commas)
          </label>
          <input
            id="authoring-tags"
            type="text"
            className={input}
            value={form.tags}
            aria-describedby={describedBy('tags')}
            onChange={(event) => update({ tags: event.target.value }, ['tags'])}
          />
          <FieldProblem id="authoring-tags-problem" text={problems.tags} />
        </div>
        <div>
          <label htmlFor="authoring-difficulty" className="block text-sm font-medium">
            Difficulty
          </label>
          <select
            id="authoring-difficulty"
            className={`${input} min-h-11`}
            value={form.difficulty}
            onChange={(event) => update({ difficulty: event.target.value as Difficulty | '' }, ['difficulty'])}
          >
            <option value="">Not set</option>
            <option value="easy">Easy</option>
            <option value="medium">Medium</option>
            <option value="hard">Hard</option>
          </select>
        </div>
        <div className="sm:col-span-2">
          <label htmlFor="authoring-source" className="block text-sm font-medium">
            Source (optional)
          </label>
          <input
            id="authoring-source"
            type="text"
            className={input}
            value={form.source}
            onChange={(event) => update({ source: event.target.value }, ['source'])}
          />
        </div>
      </div>

      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="authoring-bank" className="block text-sm font-medium">
            Add to bank
          </label>
          <select id="authoring-bank" className={`${input} min-h-11`} value={target} onChange={(event) => setTarget(event.target.value)}>
            {!hasMyQuestions && <option value={MY_QUESTIONS_BANK_ID}>{MY_QUESTIONS_TITLE} (new)</option>}
            {ownBanks.map((bank) => (
              <option key={bank.id} value={bank.id}>
                {bank.title}
              </option>
            ))}
            <option value={NEW_BANK}>A new bank…</option>
          </select>
        </div>
        {target === NEW_BANK && (
          <div>
            <label htmlFor="authoring-new-bank" className="block text-sm font-medium">
              New bank's title
            </label>
            <input id="authoring-new-bank" type="text" className={input} value={newBankTitle} onChange={(event) => setNewBankTitle(event.target.value)} />
          </div>
        )}
        <button type="button" className={`${button} font-medium`} disabled={saving || drafting} onClick={() => void addToBank()}>
          Add the question
        </button>
      </div>
      <p className="text-xs text-slate-600">The built-in demo bank does not change: questions written here go to your own banks.</p>
      {newBankProblem && <p className="text-sm text-red-800">{newBankProblem}</p>}
      {saveProblem && (
        <p role="alert" className="text-sm text-red-800" data-testid="authoring-save-problem">
          {saveProblem}
        </p>
      )}
      {added && (
        <p role="status" className="text-sm text-green-800" data-testid="authoring-added">
          {added}
        </p>
      )}
    </section>
  );
}
