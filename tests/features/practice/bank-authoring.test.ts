import { describe, expect, it } from 'vitest';
import { strToU8 } from 'fflate';
import { BANK_FORMAT, MAX_BANK_BYTES, formatItemError, type QuestionBank } from '../../../src/features/practice/bank-schema';
import { exportBankZip } from '../../../src/features/practice/bank-zip';
import { bankIdFromName, importedBankId, importPickedFiles, type PickedFile } from '../../../src/features/practice/bank-import';
import {
  checkQuestionForm,
  draftExplanationMessages,
  draftExplanationText,
  EMPTY_FORM,
  newQuestionId,
  questionRegion,
  questionSlideName,
  splitTags,
  type QuestionForm,
} from '../../../src/features/practice/question-authoring';
import { PATHO_R1_SYSTEM_PROMPT } from '../../../src/inference/patho-r1-prompt';

const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PNG_BYTES = Uint8Array.from(atob(PNG_B64), (c) => c.charCodeAt(0));

/** A picked file whose read() counts, so the tests see what was read before a refusal. */
function picked(path: string, content: Uint8Array | string, reads: string[] = [], size?: number): PickedFile {
  const bytes = typeof content === 'string' ? strToU8(content) : content;
  return {
    name: path.split('/').pop() ?? path,
    path,
    size: size ?? bytes.length,
    read: () => {
      reads.push(path);
      return Promise.resolve(bytes);
    },
  };
}

const question = (id: string, extra: object = {}) => ({ id, stem: `Stem ${id}?`, options: ['One', 'Two'], answer: 0, explanation: '', tags: [], ...extra });
const bankJson = (questions: unknown[], id = 'b') => JSON.stringify({ format: BANK_FORMAT, version: 1, id, title: 'Bank', questions });

describe('importing what the user picked', () => {
  it('reads a JSON, a CSV and an exported zip by their extension', async () => {
    const json = await importPickedFiles([picked('bank.json', bankJson([question('q1')]))]);
    expect(json.bank?.questions.map((q) => q.id)).toEqual(['q1']);

    const csv = await importPickedFiles([picked('Liver MCQs.csv', 'id,stem,option_a,option_b,answer\nq1,Which?,A thing,B thing,B\n')]);
    expect(csv.bank).toMatchObject({ id: 'liver-mcqs', title: 'Liver MCQs' });
    expect(csv.bank?.questions[0]).toMatchObject({ id: 'q1', answer: 1 });

    const bank: QuestionBank = {
      format: BANK_FORMAT,
      version: 1,
      id: 'z',
      title: 'Zipped',
      questions: [question('q1', { image: { kind: 'data-url', dataUrl: `data:image/png;base64,${PNG_B64}` } }) as QuestionBank['questions'][number]],
    };
    const zip = await importPickedFiles([picked('z.zip', exportBankZip(bank))]);
    expect(zip.bank).toEqual(bank);
  });

  it('keeps valid CSV rows and lists each bad one by its line and reason', async () => {
    const text = [
      'id,stem,option_a,option_b,option_c,answer,tags',
      'ok1,Which one?,Alpha,Beta,,A,liver;easy',
      'bad-letter,Which one?,Alpha,Beta,,Z,',
      'ok2,Which other?,Alpha,Beta,Gamma,C,',
      'no-stem,,Alpha,Beta,,A,',
      'one-option,Which?,Alpha,,,A,',
    ].join('\n');
    const result = await importPickedFiles([picked('mixed.csv', text)]);
    expect(result.bank?.questions.map((q) => q.id)).toEqual(['ok1', 'ok2']);
    expect(result.errors.map(formatItemError)).toEqual([
      'Row 3 (bad-letter): answer "Z" is not an option letter A-J.',
      'Row 5 (no-stem): stem is empty.',
      'Row 6 (one-option): options needs at least 2 options.',
    ]);
  });

  it('refuses a file over the size limit before reading it', async () => {
    const reads: string[] = [];
    const result = await importPickedFiles([picked('huge.zip', 'x', reads, MAX_BANK_BYTES + 1)]);
    expect(result.bank).toBeNull();
    expect(result.fatal).toBe('This bank is 50.0 MB; PathoLens opens banks up to 50 MB. Split it into smaller banks.');
    expect(reads).toEqual([]);
  });

  it('refuses a file that is not a bank by its name, before reading it', async () => {
    const reads: string[] = [];
    const result = await importPickedFiles([picked('slide.svs', 'x', reads)]);
    expect(result.fatal).toMatch(/“slide.svs” is not a question bank/);
    expect(reads).toEqual([]);
  });

  it('imports a folder: bank.json with the images it names from images/, other files unread', async () => {
    const reads: string[] = [];
    const files = [
      picked(
        'liver/bank.json',
        bankJson([
          question('q1', { image: { kind: 'file', path: 'images/q1.png' } }),
          question('q2', { image: { kind: 'file', path: 'images/missing.png' } }),
          question('q3'),
        ]),
        reads,
      ),
      picked('liver/images/q1.png', PNG_BYTES, reads),
      picked('liver/images/unused.png', PNG_BYTES, reads),
      picked('liver/notes.txt', 'notes', reads),
    ];
    const result = await importPickedFiles(files);
    expect(result.bank?.questions.map((q) => q.id)).toEqual(['q1', 'q3']);
    expect(result.bank?.questions[0]?.image).toEqual({ kind: 'data-url', dataUrl: `data:image/png;base64,${PNG_B64}` });
    expect(result.errors.map(formatItemError)).toEqual(['Question q2: image "images/missing.png" is not in the zip or folder; import the whole bank zip.']);
    expect(reads.sort()).toEqual(['liver/bank.json', 'liver/images/q1.png']);
  });

  it('imports a folder holding one CSV and its images', async () => {
    const files = [picked('b/Kidney.csv', 'id,stem,option_a,option_b,answer,image\nk1,Which?,A,B,A,images/k1.png\n'), picked('b/images/k1.png', PNG_BYTES)];
    const result = await importPickedFiles(files);
    expect(result.bank).toMatchObject({ id: 'kidney', title: 'Kidney' });
    expect(result.bank?.questions[0]?.image).toEqual({ kind: 'data-url', dataUrl: `data:image/png;base64,${PNG_B64}` });
  });

  it('refuses a folder without a bank, or one whose images together pass the limit, before reading', async () => {
    const reads: string[] = [];
    expect((await importPickedFiles([picked('x/readme.txt', 'hi', reads)])).fatal).toMatch(/no bank.json or CSV file/);
    expect((await importPickedFiles([picked('x/a.csv', 'id', reads), picked('x/b.csv', 'id', reads)])).fatal).toMatch(/2 CSV files and no bank.json/);
    const big = await importPickedFiles([picked('x/bank.json', bankJson([]), reads), picked('x/images/a.png', PNG_BYTES, reads, MAX_BANK_BYTES)]);
    expect(big.fatal).toMatch(/PathoLens opens banks up to 50 MB/);
    expect(reads).toEqual([]);
  });

  it('reports a lone JSON whose question points at an image file, keeping the others', async () => {
    const result = await importPickedFiles([
      picked('bank.json', bankJson([question('q1', { image: { kind: 'file', path: 'images/q1.png' } }), question('q2')])),
    ]);
    expect(result.bank?.questions.map((q) => q.id)).toEqual(['q2']);
    expect(result.errors[0]).toMatchObject({ id: 'q1', field: 'image' });
  });

  it('gives an imported copy of the demo bank another id, and keeps other ids', () => {
    const bank = { id: 'demo' } as QuestionBank;
    expect(importedBankId(bank, new Set(['demo']), new Set(['demo']))).toBe('demo-copy');
    expect(importedBankId(bank, new Set(['demo']), new Set(['demo', 'demo-copy']))).toBe('demo-copy-2');
    expect(importedBankId({ id: 'liver' } as QuestionBank, new Set(['demo']), new Set(['liver']))).toBe('liver');
    expect(bankIdFromName('Pâté de foie (2024).json')).toBe('pate-de-foie-2024');
    expect(bankIdFromName('!!!.csv')).toBe('bank');
  });
});

const filled = (extra: Partial<QuestionForm> = {}): QuestionForm => ({
  ...EMPTY_FORM,
  stem: 'What are the purple dots?',
  options: ['Nuclei', 'Red cells', 'Bubbles'],
  answer: 0,
  explanation: 'Haematoxylin.',
  tags: 'demo, stains; demo',
  difficulty: 'easy',
  ...extra,
});
const region = { kind: 'slide-region' as const, slide: 'demo', region: { x: 100, y: 200, width: 300, height: 400 } };

describe('authoring a question', () => {
  it('turns a filled form into a bank question on the region', () => {
    const checked = checkQuestionForm(filled(), 'what-are-the-purple-dots', region);
    expect(checked).toEqual({
      ok: true,
      question: {
        id: 'what-are-the-purple-dots',
        stem: 'What are the purple dots?',
        options: ['Nuclei', 'Red cells', 'Bubbles'],
        answer: 0,
        explanation: 'Haematoxylin.',
        tags: ['demo', 'stains'],
        difficulty: 'easy',
        image: region,
      },
    });
  });

  it('says each problem next to its field, from the bank schema', () => {
    const checked = checkQuestionForm({ ...EMPTY_FORM, stem: '  ', options: ['Nuclei', ''], answer: null }, 'x', null);
    expect(checked).toEqual({
      ok: false,
      problems: {
        image: 'Select or draw a region on the slide first: the question is asked about it.',
        answer: 'Mark the right answer (the round button next to it).',
        stem: 'The question is empty.',
        options: 'Option B is empty: write it or remove it.',
      },
    });
    const oneOption = checkQuestionForm(filled({ options: ['Only'], answer: 0 }), 'x', region);
    expect(oneOption).toEqual({ ok: false, problems: { options: 'The question needs at least 2 options.' } });
    const pastEnd = checkQuestionForm(filled({ answer: 3 }), 'x', region);
    expect(pastEnd).toEqual({ ok: false, problems: { answer: 'The right answer points past the last option.' } });
  });

  it('keeps the region inside the slide in whole level-0 pixels, and names the slide', () => {
    expect(questionRegion({ x: -5.5, y: 10.2, width: 100, height: 50.5 }, { width: 1000, height: 1000 })).toEqual({ x: 0, y: 10, width: 95, height: 51 });
    expect(questionRegion({ x: 990, y: 990, width: 100, height: 100 }, { width: 1000, height: 1000 })).toEqual({ x: 990, y: 990, width: 10, height: 10 });
    expect(questionRegion({ x: 2000, y: 0, width: 10, height: 10 }, { width: 1000, height: 1000 })).toBeNull();
    expect(questionSlideName({ name: 'demo-slide.tiff', isDemo: true })).toBe('demo');
    expect(questionSlideName({ name: 'cases/CMU-1.svs', isDemo: false })).toBe('CMU-1.svs');
  });

  it('makes readable ids that are unique in the bank, and splits tags', () => {
    expect(newQuestionId('What are the small, round purple dots here?', new Set())).toBe('what-are-the-small-round-purple');
    expect(newQuestionId('What is this?', new Set(['what-is-this', 'what-is-this-2']))).toBe('what-is-this-3');
    expect(newQuestionId('¿?', new Set())).toBe('question');
    expect(splitTags(' liver ; HCC,, liver,grading ')).toEqual(['liver', 'HCC', 'grading']);
  });

  it('asks Patho-R1 in its trained format to explain the marked answer', () => {
    const messages = draftExplanationMessages({ stem: 'What are the dots?', options: ['Nuclei', 'Red cells'], answer: 1 });
    expect(messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: PATHO_R1_SYSTEM_PROMPT }] },
      {
        role: 'user',
        content: [
          { type: 'image' },
          {
            type: 'text',
            text: 'What are the dots?\nA. Nuclei\nB. Red cells\nThe right answer is B. Red cells\nExplain, for a pathology trainee, which features in this image show that this answer is right and why each other option is wrong.',
          },
        ],
      },
    ]);
    expect(draftExplanationText(' The dots are round. ', 'B')).toBe('The dots are round.\n\nB');
    expect(draftExplanationText('Reasoning so far', undefined)).toBe('Reasoning so far');
  });
});
