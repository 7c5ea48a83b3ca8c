/**
 * Practice → Banks: the banks this browser keeps (the demo bank first), importing one from a file (bank.json, CSV,
 * exported zip) or a folder (bank.json or CSV with images/), exporting one as a zip another PathoLens imports
 * unchanged, and deleting one (with Undo). Rejected questions are listed with their row and reason; the valid
 * ones are kept.
 */
import { useState, type ChangeEvent } from 'react';
import { formatItemError, type ItemError, type QuestionBank } from './bank-schema';
import { bankStore, useBankStore } from './bank-store';
import { exportBankZip } from './bank-zip';
import { DEMO_BANK } from './demo-bank';
import { bankIdFromName, importedBankId, importPickedFiles, type PickedFile } from './bank-import';
import { errorDetail } from '../../ui/error-sentence';

const button = 'min-h-11 rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50 disabled:opacity-50';

interface ImportReport {
  /** What happened, as a sentence. */
  summary: string;
  errors: ItemError[];
  /** Set when the file could not be used at all. */
  fatal?: string;
}

/** What Undo puts back: a deleted bank, or the bank an import replaced (null: the import added a new one). */
interface UndoAction {
  /** What happened (for a delete), said next to the button. */
  note?: string;
  /** The button's words. */
  label: string;
  restore: QuestionBank | null;
  /** The bank to delete on Undo (an import that added a new bank). */
  removeId?: string;
}

function pickedFiles(list: FileList): PickedFile[] {
  return Array.from(list, (file) => ({
    name: file.name,
    path: file.webkitRelativePath || file.name,
    size: file.size,
    read: async () => new Uint8Array(await file.arrayBuffer()),
  }));
}

function downloadBytes(fileName: string, bytes: Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // Revoked after the click has been handled, so the download keeps its data.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function BankManager() {
  const banks = useBankStore((state) => state.banks);
  const problem = useBankStore((state) => state.problem);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [undo, setUndo] = useState<UndoAction | null>(null);

  const importFiles = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.target;
    const files = input.files ? pickedFiles(input.files) : [];
    input.value = '';
    if (files.length === 0) return;
    setBusy(true);
    setReport(null);
    setUndo(null);
    try {
      const result = await importPickedFiles(files);
      if (!result.bank) {
        setReport({ summary: 'Nothing was imported.', errors: result.errors, fatal: result.fatal ?? 'This file is not a question bank.' });
        return;
      }
      const here = bankStore.getState().banks;
      const id = importedBankId(result.bank, new Set([DEMO_BANK.id]), new Set(here.map((b) => b.id)));
      const bank: QuestionBank = id === result.bank.id ? result.bank : { ...result.bank, id, title: `${result.bank.title} (copy)` };
      const replaced = here.find((b) => b.id === bank.id) ?? null;
      const rejected = result.errors.length > 0 ? `; ${plural(result.errors.length, 'problem')} listed below` : '';
      if (bank.questions.length === 0) {
        setReport({ summary: `Nothing was imported: no question in “${bank.title}” is valid${rejected}.`, errors: result.errors });
        return;
      }
      await bankStore.getState().save(bank);
      const how = replaced ? `replaced the earlier “${replaced.title}” (same id “${bank.id}”)` : 'added';
      setReport({ summary: `Imported “${bank.title}”: ${plural(bank.questions.length, 'question')} ${how}${rejected}.`, errors: result.errors });
      setUndo(
        replaced
          ? { label: `Undo the import (bring back the earlier “${replaced.title}”)`, restore: replaced }
          : { label: 'Undo the import', restore: null, removeId: bank.id },
      );
    } catch (error) {
      // A save failure is already a sentence (also shown from the store); a read failure gets one here.
      setReport({
        summary: 'Nothing was imported.',
        errors: [],
        fatal: errorDetail(error).endsWith('.') ? errorDetail(error) : `The file could not be read (${errorDetail(error)}). Try again.`,
      });
    } finally {
      setBusy(false);
    }
  };

  const exportBank = (bank: QuestionBank) => {
    try {
      downloadBytes(`${bankIdFromName(bank.id)}.zip`, exportBankZip(bank), 'application/zip');
    } catch (error) {
      setReport({ summary: 'Nothing was exported.', errors: [], fatal: `“${bank.title}” could not be exported (${errorDetail(error).replace(/\.$/, '')}).` });
    }
  };

  const deleteBank = async (bank: QuestionBank) => {
    setReport(null);
    try {
      await bankStore.getState().remove(bank.id);
      setUndo({ note: `Deleted “${bank.title}” (${plural(bank.questions.length, 'question')}).`, label: 'Undo', restore: bank });
    } catch {
      // The store's problem says why; the bank is still here.
    }
  };

  const undoLast = async () => {
    if (!undo) return;
    try {
      if (undo.removeId) await bankStore.getState().remove(undo.removeId);
      if (undo.restore) await bankStore.getState().save(undo.restore);
      setUndo(null);
      setReport(null);
    } catch {
      // Said by the store's problem.
    }
  };

  return (
    <section aria-labelledby="bank-manager-heading" className="space-y-3" data-testid="bank-manager">
      <h3 id="bank-manager-heading" className="font-semibold">
        Question banks
      </h3>
      <ul className="divide-y divide-slate-200 rounded border border-slate-200" aria-label="Question banks">
        {banks.map((bank) => (
          <li key={bank.id} className="flex flex-wrap items-center gap-2 px-2 py-2" data-testid="bank-row" data-bank-id={bank.id}>
            <span className="min-w-0 flex-1 [overflow-wrap:anywhere]">
              <span className="font-medium">{bank.title}</span>{' '}
              <span className="text-sm text-slate-600">
                · {plural(bank.questions.length, 'question')}
                {bank.id === DEMO_BANK.id ? ' · built in' : ''}
              </span>
            </span>
            <button type="button" className={button} onClick={() => exportBank(bank)} aria-label={`Export “${bank.title}” as a zip`}>
              Export zip
            </button>
            {bank.id !== DEMO_BANK.id && (
              <button type="button" className={button} onClick={() => void deleteBank(bank)} aria-label={`Delete “${bank.title}”`}>
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>

      <div className="flex flex-wrap gap-2">
        <label className={`${button} cursor-pointer focus-within:outline-2 focus-within:outline-amber-400`}>
          Import a bank file (JSON, CSV or zip)
          <input
            type="file"
            className="sr-only"
            accept=".json,.csv,.zip,application/json,text/csv,application/zip"
            disabled={busy}
            onChange={(e) => void importFiles(e)}
          />
        </label>
        <label className={`${button} cursor-pointer focus-within:outline-2 focus-within:outline-amber-400`}>
          Import a bank folder
          <input
            type="file"
            className="sr-only"
            disabled={busy}
            ref={(element) => element?.setAttribute('webkitdirectory', '')}
            onChange={(e) => void importFiles(e)}
          />
        </label>
      </div>
      <p className="text-xs text-slate-600">
        A folder holds bank.json (or one CSV) and the images/ it names. Banks stay in this browser; the format is in the README, section “Practice”.
      </p>

      {busy && (
        <p role="status" className="text-sm">
          Reading the bank…
        </p>
      )}
      {problem && (
        <p role="alert" className="flex items-start justify-between gap-2 rounded bg-red-50 px-2 py-1 text-red-900" data-testid="bank-problem">
          <span>{problem}</span>
          <button type="button" className="underline" onClick={() => bankStore.getState().clearProblem()}>
            Dismiss
          </button>
        </p>
      )}
      {report && (
        <div className="space-y-1 rounded border border-slate-200 px-2 py-2 text-sm" data-testid="bank-import-report">
          <p role="status">{report.summary}</p>
          {report.fatal && (
            <p role="alert" className="text-red-900">
              {report.fatal}
            </p>
          )}
          {report.errors.length > 0 && (
            <ul aria-label="Rejected questions" className="list-disc pl-5 text-amber-900" data-testid="bank-import-errors">
              {report.errors.map((error, index) => (
                <li key={index}>{formatItemError(error)}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {undo && (
        <p className="flex flex-wrap items-center gap-2 text-sm" data-testid="bank-undo">
          {undo.note && <span>{undo.note}</span>}
          <button type="button" className={button} onClick={() => void undoLast()}>
            {undo.label}
          </button>
        </p>
      )}
    </section>
  );
}
