/**
 * "Print report" on an answer card: a one-page report of the region and its answer (snapshot with a scale bar,
 * question, reasoning, answer, model, weights, date), mounted outside the app (a portal on <body>) and shown only
 * by print CSS (answer-report.css), then the browser's print dialog (print or save as PDF). Model text goes through
 * the same sanitized Markdown as the card.
 */
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { slideStore } from '../../session/slide-store';
import { Markdown } from '../../ui/Markdown';
import { scaleBar } from '../viewer';
import type { AskAnswer } from './ask-store';
import { reportFacts, snapshotMicronsPerPixel } from './answer-report';
import { regionSnapshotPng } from './region-snapshot';
import { visibleModelText } from './visible-text';
import './answer-report.css';

/** Longer side of the printed snapshot. */
const REPORT_IMAGE_SIDE = 1024;

interface ReportPicture {
  dataUrl: string;
  width: number;
  micronsPerPixel: number | null;
}

interface ReportContext {
  answer: AskAnswer;
  slideName: string;
  target: string;
  picture: ReportPicture | null;
}

function imageWidth(dataUrl: string): Promise<number> {
  return new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve(image.naturalWidth);
    image.onerror = () => resolve(0);
    image.src = dataUrl;
  });
}

function Report({ answer, slideName, target, picture }: ReportContext) {
  const facts = reportFacts(answer);
  const bar = picture && picture.micronsPerPixel !== null ? scaleBar(picture.micronsPerPixel, picture.width / 4) : null;
  return (
    <article id="patholens-print-report" aria-label={`Report: ${answer.question}`} data-testid="print-report" className="p-2">
      <header className="border-b border-black pb-2">
        <h1 className="text-lg font-semibold">PathoLens report</h1>
        <p>
          {slideName} · {target}
        </p>
        <p className="text-xs">Research model output: not for diagnostic use.</p>
      </header>
      {picture ? (
        <figure className="mt-3">
          <div className="relative inline-block max-w-full">
            <img src={picture.dataUrl} alt={`Snapshot of ${target}`} className="block max-h-[110mm] max-w-full" />
            {bar?.known && (
              <div
                className="absolute bottom-2 left-2 whitespace-nowrap bg-white/85 text-xs text-black"
                style={{ width: `${(bar.widthPixels / picture.width) * 100}%` }}
                data-testid="report-scale-bar"
              >
                <div className="h-1.5 w-full bg-black" />
                {bar.label}
              </div>
            )}
          </div>
          <figcaption className="text-xs">
            {bar?.known ? `Scale bar: ${bar.label}.` : 'Scale unknown: the slide does not say its pixel size.'}
            {answer.bounds && ` Level-0 bounds: x ${answer.bounds.x}, y ${answer.bounds.y}, ${answer.bounds.width} x ${answer.bounds.height} px.`}
          </figcaption>
        </figure>
      ) : (
        <p className="mt-3 text-xs">The region could not be read from the open slide, so the report has no picture.</p>
      )}
      <section className="mt-3">
        <h2 className="font-semibold">Question</h2>
        <p className="whitespace-pre-wrap">{answer.question}</p>
        {answer.options.length > 0 && (
          <ol className="ml-5 list-[upper-alpha]">
            {answer.options.map((option, index) => (
              <li key={index}>{option}</li>
            ))}
          </ol>
        )}
      </section>
      {visibleModelText(answer.reasoning).trim() && (
        <section className="mt-3">
          <h2 className="font-semibold">Reasoning</h2>
          <Markdown text={visibleModelText(answer.reasoning)} />
        </section>
      )}
      <section className="mt-3" data-testid="report-answer">
        <h2 className="font-semibold">Answer</h2>
        {visibleModelText(answer.answer).trim() ? <Markdown text={visibleModelText(answer.answer)} /> : <p>(no answer)</p>}
        {facts.status && <p className="text-xs">{facts.status}</p>}
        {answer.error && <p className="text-xs">{answer.error}</p>}
      </section>
      <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-3 text-xs" data-testid="report-facts">
        <dt>Model</dt>
        <dd>{facts.model}</dd>
        <dt>Weights (dtype)</dt>
        <dd>{facts.dtype}</dd>
        <dt>Backend</dt>
        <dd>{facts.backend}</dd>
        <dt>Region read</dt>
        <dd>{answer.regionNote || 'not recorded'}</dd>
        <dt>Answered</dt>
        <dd>{facts.answeredAt}</dd>
      </dl>
    </article>
  );
}

/** Clears the report another card mounted: one report on the page at a time. */
let clearShownReport: (() => void) | null = null;

/** The "Print report" action of an answer card. */
export function PrintReportButton({ answer, target, className }: { answer: AskAnswer; target: string; className: string }) {
  const [report, setReport] = useState<ReportContext | null>(null);
  const [clear] = useState(() => () => setReport(null));
  useEffect(
    () => () => {
      if (clearShownReport === clear) clearShownReport = null;
    },
    [clear],
  );
  const [preparing, setPreparing] = useState(false);
  useEffect(() => {
    if (report) window.print();
  }, [report]);
  const prepare = async () => {
    const slide = slideStore.getState().slide;
    if (!slide) return;
    setPreparing(true);
    let picture: ReportPicture | null = null;
    try {
      const dataUrl = answer.bounds ? await regionSnapshotPng(slide.source, answer.bounds, REPORT_IMAGE_SIDE) : null;
      if (dataUrl && answer.bounds) {
        const width = await imageWidth(dataUrl);
        const { mppX, mppY } = slide.metadata;
        const mpp = mppX !== null && mppY !== null ? (mppX + mppY) / 2 : mppX;
        picture = { dataUrl, width, micronsPerPixel: snapshotMicronsPerPixel(answer.bounds.width, width, mpp) };
      }
    } catch {
      picture = null; // the report says it has no picture
    }
    setPreparing(false);
    if (clearShownReport !== clear) clearShownReport?.();
    clearShownReport = clear;
    setReport({ answer, slideName: slide.metadata.name, target, picture });
  };
  return (
    <>
      <button type="button" className={className} onClick={() => void prepare()} disabled={preparing}>
        {preparing ? 'Preparing report…' : 'Print report'}
      </button>
      {report && createPortal(<Report {...report} />, document.body)}
    </>
  );
}
