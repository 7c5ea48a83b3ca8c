import { useEffect, useState } from 'react';
import { currentViewRegion } from '../../session/current-view';
import { roiBounds } from '../../session/roi';
import { ChannelRenderingNote } from '../viewer';
import { slideStore, useSlideStore } from '../../session/slide-store';
import { appStore } from '../../session/app-store';
import { errorDetail } from '../../ui/error-sentence';
import { modelStore, useModelStore } from '../models';
import { classifyStore, useClassifyStore, type ClassifyResult } from './classify-store';
import { LabelSetError, labelSetFileTooLarge, labelSetJson, labelSetKey, parseLabelSetJson, type LabelSet } from './label-sets';

const MAGNIFICATIONS = [5, 10, 20, 40];

/** The label set as the editor shows it: one class per line, synonyms separated by ";"; one template per line. */
function toEditorText(labelSet: LabelSet) {
  return { name: labelSet.name, classes: labelSet.classnames.map((synonyms) => synonyms.join('; ')).join('\n'), templates: labelSet.templates.join('\n') };
}

function fromEditorText(editor: { name: string; classes: string; templates: string }) {
  const lines = (text: string) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  return {
    name: editor.name,
    classnames: lines(editor.classes).map((line) =>
      line
        .split(';')
        .map((synonym) => synonym.trim())
        .filter(Boolean),
    ),
    templates: lines(editor.templates),
  };
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function ResultChart({ result }: { result: ClassifyResult }) {
  const statusLabel: Record<ClassifyResult['status'], string> = {
    'reading-region': 'Reading the region…',
    embedding: 'Embedding…',
    done: 'Done',
    stopped: 'Stopped',
    error: 'Failed',
  };
  const ranked = [...result.scores].sort((a, b) => b.probability - a.probability);
  return (
    <section aria-label="Classification result" className="rounded border border-slate-200 p-3" data-status={result.status}>
      <p className="text-xs text-slate-600">
        <span data-testid="classify-status">{statusLabel[result.status]}</span>
        {result.note && ` · ${result.note}`}
      </p>
      {result.error && (
        <p className="mt-1 text-xs text-red-800" role="alert">
          {result.error}
        </p>
      )}
      {ranked.length > 0 && (
        <ol className="mt-2 space-y-1" aria-label="Class probabilities">
          {ranked.map((score) => {
            const name = result.classNames[score.index] ?? `class ${score.index + 1}`;
            const percent = (score.probability * 100).toFixed(1);
            return (
              <li key={score.index} className="text-xs" data-testid="class-score" data-class={name} data-probability={score.probability}>
                <div className="flex justify-between">
                  <span className="font-medium">{name}</span>
                  <span>
                    {percent}% · cos {score.cosine.toFixed(3)}
                  </span>
                </div>
                <div className="h-2 w-full rounded bg-slate-100" role="presentation">
                  <div className="h-2 rounded bg-stain-hematoxylin" style={{ width: `${percent}%` }} />
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

/** Edits a copy of `labelSet`; the parent gives it a key per label set, so switching sets starts afresh. */
function LabelSetEditor({ labelSet }: { labelSet: LabelSet }) {
  const [editor, setEditor] = useState(() => toEditorText(labelSet));
  const [problem, setProblem] = useState<string | null>(null);

  const save = async (asNew: boolean) => {
    try {
      const id = asNew || labelSet.builtIn ? `user:${crypto.randomUUID()}` : labelSet.id;
      const name = asNew && editor.name === labelSet.name ? `${editor.name} (copy)` : editor.name;
      await classifyStore.getState().saveLabelSet({ id, ...fromEditorText({ ...editor, name }) });
      setProblem(null);
    } catch (error) {
      setProblem(errorDetail(error));
    }
  };

  return (
    <details className="text-sm">
      <summary className="cursor-pointer">Edit label set</summary>
      <div className="mt-2 space-y-2 text-xs">
        <div className="flex flex-col">
          <label htmlFor="label-set-name">Name</label>
          <input
            id="label-set-name"
            className="rounded border border-slate-300 px-1"
            value={editor.name}
            onChange={(event) => setEditor({ ...editor, name: event.target.value })}
          />
        </div>
        <div className="flex flex-col">
          <label htmlFor="label-set-classes">Classes (one per line; synonyms separated by ;)</label>
          <textarea
            id="label-set-classes"
            rows={4}
            className="rounded border border-slate-300 p-1"
            value={editor.classes}
            onChange={(event) => setEditor({ ...editor, classes: event.target.value })}
          />
        </div>
        <div className="flex flex-col">
          <label htmlFor="label-set-templates">Prompt templates (one per line, with CLASSNAME)</label>
          <textarea
            id="label-set-templates"
            rows={3}
            className="rounded border border-slate-300 p-1"
            value={editor.templates}
            onChange={(event) => setEditor({ ...editor, templates: event.target.value })}
          />
        </div>
        {problem && (
          <p className="text-red-800" role="alert">
            {problem}
          </p>
        )}
        <div className="flex flex-wrap gap-2">
          {!labelSet.builtIn && (
            <button type="button" className="rounded border border-slate-300 px-2 py-0.5" onClick={() => void save(false)}>
              Save
            </button>
          )}
          <button type="button" className="rounded border border-slate-300 px-2 py-0.5" onClick={() => void save(true)}>
            Save as new label set
          </button>
          {!labelSet.builtIn && (
            <button
              type="button"
              className="rounded border border-slate-300 px-2 py-0.5"
              onClick={() => void classifyStore.getState().deleteLabelSet(labelSet.id)}
            >
              Delete
            </button>
          )}
        </div>
      </div>
    </details>
  );
}

export function ClassifyPanel() {
  const slide = useSlideStore((state) => state.slide);
  const rois = useSlideStore((state) => state.rois);
  const selectedRoiId = useSlideStore((state) => state.selectedRoiId);
  const labelSets = useClassifyStore((state) => state.labelSets);
  const selectedId = useClassifyStore((state) => state.selectedId);
  const magnification = useClassifyStore((state) => state.magnification);
  const result = useClassifyStore((state) => state.result);
  const busy = useClassifyStore((state) => state.busy);
  const pathoClip = useModelStore((state) => state.pathoClip);
  const [importProblem, setImportProblem] = useState<string | null>(null);

  useEffect(() => {
    void classifyStore.getState().loadSaved();
  }, []);

  const labelSet = labelSets.find((candidate) => candidate.id === selectedId) ?? labelSets[0]!;
  const roi = rois.find((candidate) => candidate.id === selectedRoiId) ?? null;
  const target = roi ? `Region “${roi.name}”` : 'The current view (no region selected)';

  const classify = async () => {
    const state = slideStore.getState();
    if (!state.slide) return;
    const metadata = state.slide.metadata;
    const bounds = roi ? roiBounds(roi.shape) : (currentViewRegion() ?? { x: 0, y: 0, width: metadata.width, height: metadata.height });
    const outcome = await classifyStore.getState().classify({ slide: state.slide.source, roiId: roi?.id ?? null, bounds }, () => modelStore.ensurePathoClip());
    if (outcome.status === 'error' && pathoClip.status !== 'ready' && modelStore.getState().pathoClip.status === 'error') {
      appStore.getState().reportError(outcome.error ?? 'PathoCLIP could not be loaded.');
    }
  };

  const importFile = async (file: File) => {
    const tooLarge = labelSetFileTooLarge(file.name, file.size);
    if (tooLarge) {
      setImportProblem(tooLarge);
      return;
    }
    try {
      const imported = parseLabelSetJson(await file.text(), file.name.replace(/\.json$/i, ''), `user:${crypto.randomUUID()}`);
      await classifyStore.getState().saveLabelSet(imported);
      setImportProblem(null);
    } catch (error) {
      setImportProblem(error instanceof LabelSetError ? `${file.name}: ${error.message}` : `${file.name} could not be imported: ${errorDetail(error)}`);
    }
  };

  if (!slide)
    return <p className="text-slate-700">Open a slide, select a region (R draws a rectangle) or frame the view, then classify it zero-shot with PathoCLIP.</p>;

  return (
    <div className="space-y-3">
      <p className="text-xs text-slate-600">
        Classifying: <strong>{target}</strong> · PathoCLIP:{' '}
        {pathoClip.status === 'ready'
          ? `${pathoClip.path} (images ${pathoClip.plan.imageDtype}, text ${pathoClip.plan.textDtype}, ${pathoClip.plan.device})`
          : pathoClip.status === 'loading'
            ? 'loading…'
            : 'loads on first use'}
      </p>
      <ChannelRenderingNote slide={slide} testId="classify-channel-note" />
      <div className="flex flex-wrap items-end gap-2 text-sm">
        {/* Labels point at their fields by id: a label wrapping a select would add the options to its name. */}
        <div className="flex flex-col">
          <label htmlFor="classify-label-set">Label set</label>
          <select
            id="classify-label-set"
            className="rounded border border-slate-300"
            value={labelSet.id}
            onChange={(event) => classifyStore.getState().select(event.target.value)}
          >
            {labelSets.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
                {candidate.builtIn ? ' (preset)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col">
          <label htmlFor="classify-magnification">Magnification</label>
          <select
            id="classify-magnification"
            className="rounded border border-slate-300"
            value={magnification}
            onChange={(event) => classifyStore.getState().setMagnification(Number(event.target.value))}
          >
            {MAGNIFICATIONS.map((value) => (
              <option key={value} value={value}>
                {value}x
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="text-xs text-slate-600">
        Classes: {labelSet.classnames.map((synonyms) => synonyms[0]).join(', ')} · {labelSet.templates.length} template
        {labelSet.templates.length === 1 ? '' : 's'}
      </p>
      <LabelSetEditor key={`${labelSet.id}|${labelSet.name}|${labelSetKey(labelSet)}`} labelSet={labelSet} />
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <label htmlFor="label-set-import" className="cursor-pointer rounded border border-slate-300 px-2 py-0.5">
          Import label set (JSON)
        </label>
        <input
          id="label-set-import"
          type="file"
          accept="application/json,.json"
          className="sr-only"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void importFile(file);
          }}
        />
        <button
          type="button"
          className="rounded border border-slate-300 px-2 py-0.5"
          onClick={() => download(`${labelSet.name.replace(/[^\w.-]+/g, '_')}.json`, labelSetJson(labelSet))}
        >
          Export label set
        </button>
      </div>
      {importProblem && (
        <p className="text-xs text-red-800" role="alert">
          {importProblem}
        </p>
      )}
      <div className="flex gap-2">
        <button
          type="button"
          className="rounded bg-stain-hematoxylin px-3 py-1 text-white disabled:opacity-50"
          disabled={busy || pathoClip.status === 'loading'}
          onClick={() => void classify()}
        >
          Classify
        </button>
        {busy && (
          <button type="button" className="rounded border border-slate-300 px-3 py-1" onClick={() => classifyStore.getState().stop()}>
            Stop
          </button>
        )}
      </div>
      {result && <ResultChart result={result} />}
    </div>
  );
}
