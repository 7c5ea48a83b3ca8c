import { useMemo } from 'react';
import { renderMarkdownToSafeHtml } from './markdown';

/** Sanitized markdown (see markdown.ts): the only place the app injects HTML. */
export function Markdown({ text, className }: { text: string; className?: string }) {
  const html = useMemo(() => renderMarkdownToSafeHtml(text), [text]);
  return <div className={`patholens-markdown ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
