import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { BANK_FORMAT, MAX_BANK_BYTES, parseBankJson, type QuestionBank } from '../../../src/features/practice/bank-schema';
import { parseBankCsv } from '../../../src/features/practice/bank-csv';
import { exportBankZip, importBankZip } from '../../../src/features/practice/bank-zip';
import { DEMO_BANK } from '../../../src/features/practice/demo-bank';

// A 1x1 PNG, as a teacher's pasted image would be.
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const good = (id: string, extra: object = {}) => ({ id, stem: `Stem ${id}?`, options: ['One', 'Two', 'Three'], answer: 1, ...extra });
const bankJson = (questions: unknown[]) => JSON.stringify({ format: BANK_FORMAT, version: 1, id: 'b', title: 'Bank', questions });

describe('JSON banks', () => {
  it('keeps valid items and reports each invalid one with its row and field', () => {
    const r = parseBankJson(
      bankJson([
        good('q1'),
        good('q2', { options: ['Only one'], answer: 0 }),
        good('q3', { answer: 5 }),
        good('q4', { options: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'] }),
        { id: 'q5', options: ['a', 'b'], answer: 0 },
        good('q6', { image: { kind: 'data-url', dataUrl: 'data:text/html;base64,AAAA' } }),
        good('q7', { image: { kind: 'slide-region', slide: 'demo', region: { x: 0, y: 0, width: -3, height: 10 } } }),
        good('q1'),
        good('q8', { difficulty: 'brutal' }),
        good('q9', { image: { kind: 'data-url', dataUrl: PNG }, tags: ['liver'], difficulty: 'hard', source: 'me' }),
      ]),
    );
    expect(r.fatal).toBeUndefined();
    expect(r.bank?.questions.map((q) => q.id)).toEqual(['q1', 'q9']);
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'options'],
      [3, 'answer'],
      [4, 'options'],
      [5, 'stem'],
      [6, 'image.dataUrl'],
      [7, 'image.region.width'],
      [8, 'id'],
      [9, 'difficulty'],
    ]);
    expect(r.errors[6]?.message).toMatch(/repeats/);
  });

  it('refuses a non-bank, broken JSON and an oversized file with a sentence', () => {
    expect(parseBankJson('{').fatal).toMatch(/not valid JSON/);
    expect(parseBankJson('{"format":"other"}').fatal).toMatch(/not a PathoLens question bank/);
    expect(parseBankJson('x'.repeat(MAX_BANK_BYTES + 1)).fatal).toMatch(/MB; PathoLens opens banks up to 50 MB/);
  });
});

describe('CSV banks', () => {
  it('reads options, letters, tags and slide regions, and reports bad rows by their line', () => {
    const csv = [
      'id,stem,option_a,option_b,option_c,answer,explanation,tags,difficulty,source,image,slide,x,y,width,height',
      'c1,"Which, of these?",Alpha,Beta,,B,"Because ""B""",liver; gi,medium,Robbins,,demo,10,20,300,400',
      'c2,Missing answer,A1,B1,,,,,,,,,,,,',
      'c3,One option,A1,,,A,,,,,,,,,,',
      `c4,With image,A1,B1,C1,C,,,,,"${PNG}",,,,,`,
      'c5,Bad region,A1,B1,,A,,,,,,demo,1,2,,4',
    ].join('\n');
    const r = parseBankCsv(csv, { id: 'csv', title: 'CSV' });
    expect(r.bank?.questions.map((q) => q.id)).toEqual(['c1', 'c4']);
    const c1 = r.bank?.questions[0];
    expect(c1).toMatchObject({
      stem: 'Which, of these?',
      options: ['Alpha', 'Beta'],
      answer: 1,
      explanation: 'Because "B"',
      tags: ['liver', 'gi'],
      difficulty: 'medium',
      source: 'Robbins',
      image: { kind: 'slide-region', slide: 'demo', region: { x: 10, y: 20, width: 300, height: 400 } },
    });
    expect(r.bank?.questions[1]?.image).toEqual({ kind: 'data-url', dataUrl: PNG });
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'answer'],
      [4, 'options'],
      [6, 'image.region.width'],
    ]);
  });

  it('names missing columns', () => {
    expect(parseBankCsv('id,stem\n1,x', { id: 'c', title: 'c' }).fatal).toMatch(/answer, option_a, option_b/);
  });
});

describe('zip export', () => {
  it('round-trips a bank with embedded images and slide regions unchanged', () => {
    const bank: QuestionBank = {
      ...DEMO_BANK,
      questions: [
        ...DEMO_BANK.questions,
        good('img/1', { explanation: '', tags: ['ünïcode'], image: { kind: 'data-url', dataUrl: PNG } }) as QuestionBank['questions'][number],
      ],
    };
    const zip = exportBankZip(bank);
    const back = importBankZip(zip);
    expect(back.errors).toEqual([]);
    expect(back.bank).toEqual(bank);
    expect(JSON.stringify(back.bank)).toBe(JSON.stringify(bank));
  });

  it('reports a missing image file for that question only, and refuses a zip without bank.json', () => {
    const json = bankJson([good('a', { image: { kind: 'file', path: 'images/gone.png' } }), good('b')]);
    const r = importBankZip(zipSync({ 'bank.json': strToU8(json) }));
    expect(r.bank?.questions.map((q) => q.id)).toEqual(['b']);
    expect(r.errors[0]).toMatchObject({ id: 'a', field: 'image' });
    expect(importBankZip(zipSync({ 'x.txt': strToU8('x') })).fatal).toMatch(/no bank.json/);
    expect(importBankZip(strToU8('not a zip')).fatal).toMatch(/not a readable zip/);
  });

  it('the demo bank is itself a valid bank', () => {
    const r = parseBankJson(JSON.stringify(DEMO_BANK));
    expect(r.errors).toEqual([]);
    expect(r.bank).toEqual(DEMO_BANK);
  });
});
