import { Markdown } from '../../ui/Markdown';
import { visibleModelText } from './visible-text';

/** What both kinds of answer card show under their header: the reasoning (open while it streams), the answer and any error. */
export function AnswerBody({
  answer,
  answerTestId,
}: {
  answer: { reasoning: string; answer: string; reasoningClosed: boolean; status: string; error?: string };
  answerTestId: string;
}) {
  return (
    <>
      {answer.reasoning && (
        <details
          className="mt-2 rounded bg-slate-50 p-2 text-xs text-slate-700 [overflow-wrap:anywhere]"
          open={answer.status === 'streaming' && !answer.reasoningClosed}
        >
          <summary className="cursor-pointer font-medium">Reasoning</summary>
          <Markdown text={visibleModelText(answer.reasoning)} />
        </details>
      )}
      <section aria-label="Answer" className="mt-2 text-sm font-medium text-slate-900 [overflow-wrap:anywhere]" data-testid={answerTestId}>
        {visibleModelText(answer.answer) ? (
          <Markdown text={visibleModelText(answer.answer)} />
        ) : answer.status === 'streaming' ? (
          <p className="text-slate-400">…</p>
        ) : null}
      </section>
      {answer.error && <p className="mt-2 text-xs text-red-800">{answer.error}</p>}
    </>
  );
}
