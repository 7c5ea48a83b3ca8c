import { Markdown } from '../../ui/Markdown';

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
        <details className="mt-2 rounded bg-slate-50 p-2 text-xs text-slate-700" open={answer.status === 'streaming' && !answer.reasoningClosed}>
          <summary className="cursor-pointer font-medium">Reasoning</summary>
          <Markdown text={answer.reasoning} />
        </details>
      )}
      <section aria-label="Answer" className="mt-2 text-sm font-medium text-slate-900" data-testid={answerTestId}>
        {answer.answer ? <Markdown text={answer.answer} /> : answer.status === 'streaming' ? <p className="text-slate-400">…</p> : null}
      </section>
      {answer.error && <p className="mt-2 text-xs text-red-800">{answer.error}</p>}
    </>
  );
}
