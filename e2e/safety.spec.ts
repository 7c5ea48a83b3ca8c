/**
 * Issue 13, safety: untrusted text from every input a user can feed reaches the page as text or through the one
 * sanitizer (src/ui/markdown.ts, DOMPurify), and none of it runs. Inputs: slide metadata (an Aperio
 * ImageDescription, tests/fixtures/safety/make_xss_fixture.py) and the slide's file name, a QuPath GeoJSON region
 * and class name, a Classify label set, a Practice question bank, and a session file (region names, questions, options, reasoning, answers,
 * notes) shown in the Ask panel and in the printable report. Proof: a flag every payload would set stays unset, no
 * dialog opens, no Content-Security-Policy violation is reported (nothing reached a place where CSP had to block it;
 * raw HTML in markdown is escaped to text before DOMPurify parses anything, so not even its inert parse is reported),
 * no event-handler attribute, javascript: URL, payload <script> or iframe is in the document, and no request
 * leaves the page's origin. An over-size label set gets a sentence.
 *
 * Payloads: OWASP XSS Filter Evasion Cheat Sheet
 * (https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html) and PayloadsAllTheThings
 * "XSS Injection" (https://github.com/swisskyrepo/PayloadsAllTheThings/tree/master/XSS%20Injection), each changed
 * to set window.__xss instead of alert(); the mXSS one is DOMPurify's known namespace-confusion shape.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { strToU8, unzipSync, zipSync } from 'fflate';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectSlideOpen, gotoApp, testdata } from './viewer-helpers';

const PAYLOADS = [
  `<script>window.__xss='script'</script>`,
  `<img src=x onerror="window.__xss='img'">`,
  `<svg onload="window.__xss='svg'"><circle r="1" /></svg>`,
  `<a href="javascript:window.__xss='link'">click me</a>`,
  `[markdown link](javascript:window.__xss='mdlink')`,
  `![markdown image](x" onerror="window.__xss='mdimg')`,
  `<iframe src="javascript:window.__xss='iframe'"></iframe>`,
  `<div style="background:url(javascript:window.__xss='css')">css</div><style>@import 'http://evil.example/x.css';</style>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="window.__xss='mxss'">`,
  `"><img src=x onerror=window.__xss='attr'>`,
];
const ALL = PAYLOADS.join('\n');

async function expectNothingRan(page: Page, dialogs: string[], cspViolations: () => Promise<string[]>, requests: string[]) {
  const state = await page.evaluate(() => {
    const elements = [...document.querySelectorAll('*')];
    return {
      flag: (window as unknown as { __xss?: string }).__xss ?? null,
      handlers: elements.flatMap((element) =>
        [...element.attributes].filter((attribute) => /^on/i.test(attribute.name)).map((attribute) => `${element.tagName} ${attribute.name}`),
      ),
      javascriptUrls: elements.filter((element) =>
        [...element.attributes].some(
          (attribute) => /^(href|src|xlink:href|action|formaction|data)$/i.test(attribute.name) && /^\s*javascript:/i.test(attribute.value),
        ),
      ).length,
      payloadScripts: [...document.scripts].filter((script) => script.textContent?.includes('__xss')).length,
      iframes: document.querySelectorAll('iframe').length,
      payloadStyles: elements.filter(
        (element) =>
          /javascript:|evil\.example/.test(element.getAttribute('style') ?? '') ||
          (element.tagName === 'STYLE' && /evil\.example/.test(element.textContent ?? '')),
      ).length,
    };
  });
  expect(state).toEqual({ flag: null, handlers: [], javascriptUrls: 0, payloadScripts: 0, iframes: 0, payloadStyles: 0 });
  expect(dialogs).toEqual([]);
  const violations = await cspViolations();
  expect(violations).toEqual([]);
  const origin = new URL(page.url()).origin;
  expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
}

test('payloads fed through slide metadata, GeoJSON, a label set, a question bank and a session file never run', async ({ page, watch }) => {
  test.setTimeout(180_000);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await gotoApp(page);
  const nothingRan = () => expectNothingRan(page, dialogs, watch.cspViolations, watch.requests);

  // Slide metadata and the slide's file name.
  const slideName = `<img src=x onerror="window.__xss='name'">.svs`;
  await page.getByLabel('Open slide').setInputFiles({ name: slideName, mimeType: 'image/tiff', buffer: await readFile(testdata('safety/xss-metadata.svs')) });
  await expectSlideOpen(page, slideName);
  const details = page.locator('#slide-details');
  await details.getByText(/^All properties/).click();
  await expect(details).toContainText(`<script>window.__xss='metadata-script'</script>`);
  await expect(details).toContainText(`<svg/onload=window.__xss='metadata-svg'>`);
  await nothingRan();

  // A QuPath GeoJSON region whose name and class are payloads.
  const geojson = {
    type: 'FeatureCollection',
    features: PAYLOADS.slice(0, 3).map((payload, index) => ({
      type: 'Feature',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [10 + index, 10],
            [200, 10],
            [200, 200],
            [10, 200],
            [10 + index, 10],
          ],
        ],
      },
      properties: { objectType: 'annotation', name: payload, classification: { name: PAYLOADS[index + 3], color: [200, 0, 0] } },
    })),
  };
  await details.locator('input[type="file"][accept^=".geojson"]').setInputFiles({
    name: 'regions.geojson',
    mimeType: 'application/geo+json',
    buffer: Buffer.from(JSON.stringify(geojson)),
  });
  await expect(page.getByTestId('roi-item')).toHaveCount(3);
  await nothingRan();

  // A label set in the Classify tab (and one far over the size bound, which gets a sentence).
  await page.getByRole('tab', { name: 'Classify' }).click();
  const classify = page.getByRole('tabpanel', { name: 'Classify' });
  const labelSet = { name: PAYLOADS[0], classnames: PAYLOADS.slice(1, 6).map((payload) => [payload]), templates: ['a photo of CLASSNAME.'] };
  await classify
    .locator('#label-set-import')
    .setInputFiles({ name: 'labels.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(labelSet)) });
  await expect(classify).toContainText(`<svg onload="window.__xss='svg'">`);
  await classify.locator('#label-set-import').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(2 * 1024 * 1024, 32) });
  await expect(classify.getByRole('alert')).toHaveText(/^huge\.json is 2\.0 MB; label sets up to 1 MB are imported/);
  await nothingRan();

  // A question bank in the Practice tab (title, description, stem, options, explanation, tags).
  await page.getByRole('tab', { name: 'Practice' }).click();
  const practice = page.getByRole('tabpanel', { name: 'Practice' });
  await practice.getByRole('button', { name: 'Banks', exact: true }).click();
  const bank = {
    format: 'patholens-question-bank',
    version: 1,
    id: 'xss-bank',
    title: PAYLOADS[1],
    description: PAYLOADS[0],
    questions: [{ id: 'q1', stem: ALL, options: [PAYLOADS[2], PAYLOADS[3]], answer: 0, explanation: ALL, tags: ['xss'], difficulty: 'easy' }],
  };
  await practice
    .locator('input[type="file"][accept^=".json,.csv"]')
    .setInputFiles({ name: 'bank.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bank)) });
  await expect(practice.getByTestId('bank-row').filter({ hasText: PAYLOADS[1] })).toHaveCount(1);
  await nothingRan();

  // A session file: export this slide's (for its identity), put payloads into every text, import it.
  const downloadPromise = page.waitForEvent('download');
  await details.getByRole('button', { name: 'Export session' }).click();
  const exported = unzipSync(new Uint8Array(await readFile(await (await downloadPromise).path())));
  const manifest = JSON.parse(new TextDecoder().decode(exported['session.json'])) as { regions: unknown[]; answers: unknown[] };
  manifest.regions = [{ id: 'xss-region', name: PAYLOADS[8], shape: { kind: 'rectangle', rect: { x: 0, y: 0, width: 256, height: 256 } }, createdAt: 1 }];
  manifest.answers = [
    {
      id: 1,
      conversationId: 'xss',
      roiId: 'xss-region',
      bounds: { x: 0, y: 0, width: 256, height: 256 },
      question: ALL,
      options: PAYLOADS.slice(0, 4),
      chainOfDraft: false,
      reply: `<think>${ALL}</think><answer>${ALL}</answer>`,
      reasoning: ALL,
      answer: ALL,
      reasoningClosed: true,
      status: 'error',
      error: PAYLOADS[1],
      backend: `WASM · q4 · ${PAYLOADS[2]}`,
      model: PAYLOADS[3],
      regionNote: PAYLOADS[9],
      createdAt: 1,
    },
  ];
  const sessionPath = test.info().outputPath('xss.patholens-session.zip');
  await writeFile(sessionPath, zipSync({ 'session.json': strToU8(JSON.stringify(manifest)) }));
  await details.locator('input[type="file"][accept=".zip,application/zip"]').setInputFiles(sessionPath);
  await expect(details.getByTestId('session-file-notes')).toContainText('Imported 1 region, 1 answer and 0 reviews');
  await page.getByTestId('roi-item').nth(3).getByRole('button', { name: /^Show/ }).click();
  await page.getByRole('tab', { name: 'Ask' }).click();
  const card = page.getByRole('tabpanel', { name: 'Ask' }).getByTestId('ask-answer');
  await expect(card).toHaveCount(1);
  await card.getByText('Reasoning', { exact: true }).click();
  // The answer is markdown: its raw HTML is shown as the characters it is (escaped), never as elements.
  await expect(card.getByTestId('answer-text')).toContainText(`<a href="javascript:window.__xss='link'">click me</a>`);
  await expect(card).toContainText(`<img src=x onerror="window.__xss='img'">`); // the question is plain text
  await nothingRan();

  // The printable report renders the same texts.
  await page.evaluate(() => {
    window.print = () => undefined;
  });
  await card.getByRole('button', { name: 'Print report' }).click();
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByTestId('print-report')).toBeVisible();
  await expect(page.getByTestId('report-facts')).toContainText(`<a href="javascript:window.__xss='link'">click me</a>`);
  await nothingRan();
  expect(watch.pageErrors).toEqual([]);
});
