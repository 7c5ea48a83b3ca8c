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

  it('removes anything that could run code or contact another server', () => {
    const html = renderMarkdownToSafeHtml(
      'x <script>alert(1)</script> <img src="https://evil.example/p.png" onerror="alert(2)"> [link](https://evil.example) <a href="javascript:alert(3)">y</a> <iframe src="//evil.example"></iframe> <style>body{}</style>',
    );
    for (const forbidden of ['<script', 'alert(', '<img', 'evil.example', 'javascript:', '<iframe', '<style', 'onerror', 'href']) {
      expect(html).not.toContain(forbidden);
    }
    expect(html).toContain('link');
  });
});
