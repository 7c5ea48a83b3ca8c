/**
 * Model output and imported text are untrusted: markdown is rendered by `marked` and every tag or attribute
 * that could run code or load something is removed by DOMPurify before it reaches the page.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Raw HTML in the text is shown as the text it is, never parsed as HTML: a model or a bank that writes `<img
 * onerror=…>` gets those characters on screen. (Were it parsed, DOMPurify would remove it, but only after its inert
 * document had met the inline handlers and styles, which Chromium reports as CSP violations.)
 */
const marked = new Marked({
  async: false,
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text, block }) => {
      const escaped = text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
      return block ? `<p>${escaped.trimEnd()}</p>\n` : escaped;
    },
  },
});

const ALLOWED_TAGS = [
  'p',
  'br',
  'strong',
  'em',
  'code',
  'pre',
  'ul',
  'ol',
  'li',
  'blockquote',
  'h1',
  'h2',
  'h3',
  'h4',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'hr',
  'del',
];

export function renderMarkdownToSafeHtml(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  // No links or images: an answer must never make the browser contact another origin.
  return DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR: [] });
}
