// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdownToSafeHtml } from '../../src/ui/markdown';

describe('answer markdown', () => {
  it('keeps formatting a pathologist expects', () => {
    const html = renderMarkdownToSafeHtml('**Invasive** carcinoma\n\n- grade 2\n- *no* LVI\n\n| marker | result |\n| --- | --- |\n| ER | + |');
    expect(html).toContain('<strong>Invasive</strong>');
    expect(html).toContain('<li>grade 2</li>');
    expect(html).toContain('<em>no</em>');
    expect(html).toContain('<td>ER</td>');
  });

  it('nothing in it can run code or contact another server: raw HTML is shown as text, links lose their address', () => {
    const text =
      'x <script>alert(1)</script> <img src="https://evil.example/p.png" onerror="alert(2)"> [link](https://evil.example) <a href="javascript:alert(3)">y</a> <iframe src="//evil.example"></iframe> <style>body{}</style>\n\n<div onclick="alert(4)">block</div>';
    const html = renderMarkdownToSafeHtml(text);
    const page = document.createElement('div');
    page.innerHTML = html;
    const elements = [...page.querySelectorAll('*')];
    expect(elements.map((element) => element.tagName)).toEqual(['P', 'P']);
    expect(elements.flatMap((element) => [...element.attributes])).toEqual([]);
    // What the model wrote is on screen as characters, so a pathologist sees it and nothing acts on it.
    expect(page.textContent).toContain('<script>alert(1)</script> <img src="https://evil.example/p.png" onerror="alert(2)"> link');
    expect(page.textContent).toContain('<div onclick="alert(4)">block</div>');
  });

  it('comparison signs and ampersands in prose survive', () => {
    const page = document.createElement('div');
    page.innerHTML = renderMarkdownToSafeHtml('Ki-67 < 5% & mitoses > 2/10 HPF');
    expect(page.textContent?.trim()).toBe('Ki-67 < 5% & mitoses > 2/10 HPF');
  });
});
