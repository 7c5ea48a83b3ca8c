/**
 * One sanitizer path: the only place in src/ that hands HTML to the browser is ui/Markdown.tsx, whose HTML comes
 * from renderMarkdownToSafeHtml (marked + DOMPurify, ui/markdown.ts). Everything else renders untrusted text
 * (model output, question banks, label sets, session files, slide metadata, file names) as React text, which
 * the browser never parses as HTML. A new HTML sink anywhere else fails here. What DOMPurify keeps is tested in
 * tests/ui/markdown.test.ts; e2e/safety.spec.ts feeds payloads through every input.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '../../src');
const HTML_SINKS =
  /dangerouslySetInnerHTML|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\bsrcdoc\b|createContextualFragment|parseFromString\([^)]*text\/html/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

describe('one sanitizer path', () => {
  it('no file but ui/Markdown.tsx puts HTML into the page', () => {
    const sinks = sourceFiles(SRC)
      .filter((path) => HTML_SINKS.test(readFileSync(path, 'utf8')))
      .map((path) => relative(SRC, path));
    expect(sinks).toEqual(['ui/Markdown.tsx']);
    expect(readFileSync(join(SRC, 'ui/Markdown.tsx'), 'utf8')).toMatch(/renderMarkdownToSafeHtml\(/);
  });
});
