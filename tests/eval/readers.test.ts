/** Every benchmark reader on a tiny file written in that benchmark's own format (tests/fixtures/eval). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../eval/image';
import { DatasetError } from '../../eval/items';
import { readArchCaptions, readCaptionTsv } from '../../eval/readers/captions';
import { imageFolderClasses, readImageFolder } from '../../eval/readers/image-folder';
import { readLabelSet } from '../../eval/readers/label-set';
import { readPathMmu } from '../../eval/readers/pathmmu';
import { readVlmEvalKitTsv } from '../../eval/readers/vlmevalkit-tsv';
import { readVqaParquet } from '../../eval/readers/vqa-parquet';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/eval');
const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);

describe('PathMMU data.json', () => {
  it('reads subset → split, strips "A) " from options, takes the key letter from "B) text", resolves img and source_img', async () => {
    const items = await readPathMmu(fixture('pathmmu', 'data.json'));
    expect(items.map((item) => item.id)).toEqual([
      'PubMed/test/1',
      'PubMed/test/2',
      'PubMed/test/3',
      'PubMed/test_tiny/4',
      'Atlas/test/1',
      'SocialPath/test/1',
    ]);
    expect(items[0]).toMatchObject({
      options: ['Skeletal muscle', 'Adipose tissue', 'Lymph node'],
      answerIndex: 1,
      group: { subset: 'PubMed', split: 'test' },
    });
    expect(items[3]).toMatchObject({ answerIndex: 3, group: { subset: 'PubMed', split: 'test_tiny' } });
    expect(items[4]).toMatchObject({
      options: ['Liver', 'Kidney', 'Lung', 'Spleen', 'Heart'],
      answerIndex: 2,
      image: { kind: 'file', path: fixture('pathmmu', 'images', 'atlas_0.png') },
    });
    expect((await decodeImage(items[0]!.image)).width).toBe(64);
  });

  it('refuses a JSON that is not subset → split → questions with a sentence', async () => {
    await expect(readPathMmu(fixture('zero-shot', 'labels-pathoclip.json'))).rejects.toThrow(DatasetError);
  });
});

describe('VLMEvalKit MCQ TSV', () => {
  it('reads options A.., the answer letter, a hint, quoted cells with tabs and newlines, base64 images and image references', async () => {
    const items = await readVlmEvalKitTsv(fixture('vlmevalkit', 'PathMMU_TINY.tsv'));
    expect(items).toHaveLength(4);
    expect(items[0]).toMatchObject({
      id: '0',
      options: ['Skeletal muscle', 'Adipose tissue', 'Lymph node'],
      answerIndex: 1,
      group: { subset: 'PubMed', split: 'test' },
    });
    expect(items[1]!.question).toBe('Hint: Look at the nuclei.\nWhich stain\twas used?\nChoose one.');
    expect(items[1]!.options[3]).toBe('Congo "red"');
    expect(items[2]!.options).toEqual(['Yes', 'No']);
    // Row 2's image cell names row 0: the same pixels.
    const [first, repeated] = await Promise.all([decodeImage(items[0]!.image), decodeImage(items[2]!.image)]);
    expect(Buffer.from(repeated.data).equals(Buffer.from(first.data))).toBe(true);
    await expect(decodeImage(items[3]!.image)).rejects.toThrow();
  });
});

describe('PathVQA and Quilt-VQA parquet', () => {
  it('PathVQA: image bytes from the struct column; closed = a yes/no answer', async () => {
    const items = await readVqaParquet(fixture('pathvqa', 'test-00000-of-00001.parquet'));
    expect(items.map((item) => [item.answer, item.closed])).toEqual([
      ['yes', true],
      ['no', true],
      ['squamous cell carcinoma', false],
      ['lung', false],
      ['yes', true],
    ]);
    expect((await decodeImage(items[2]!.image)).height).toBe(56);
  });

  it('Quilt-VQA: closed = answer_type CLOSED; a folder reads its parquet files', async () => {
    const items = await readVqaParquet(fixture('quilt-vqa'));
    expect(items.map((item) => item.closed)).toEqual([true, true, false, false]);
    expect(items[3]!.answer).toBe('Sézary syndrome');
  });
});

describe('zero-shot ImageFolder and label sets', () => {
  it('lists class folders sorted; PathoCLIP lists map to them in order, CONCH objects by name', async () => {
    const folders = await imageFolderClasses(fixture('zero-shot', 'crc'));
    expect(folders).toEqual(['ADI', 'LYM', 'TUM']);
    const lists = await readLabelSet(fixture('zero-shot', 'labels-pathoclip.json'), folders);
    const conch = await readLabelSet(fixture('zero-shot', 'labels-conch.json'), folders);
    expect(lists.folders).toEqual(['ADI', 'LYM', 'TUM']);
    expect(conch.folders).toEqual(['TUM', 'ADI', 'LYM']);
    expect(lists.prompts[0]).toEqual(['adipose tissue.', 'an H&E image of adipose tissue.', 'fat.', 'an H&E image of fat.']);
    expect(conch.prompts[1]).toEqual(lists.prompts[0]);
    const items = await readImageFolder(fixture('zero-shot', 'crc'), conch.folders);
    expect(items.map((item) => [item.id, item.label])).toEqual([
      ['ADI/ADI-0.png', 1],
      ['ADI/ADI-1.png', 1],
      ['LYM/LYM-0.png', 2],
      ['LYM/LYM-1.png', 2],
      ['TUM/TUM-0.png', 0],
      ['TUM/TUM-1.png', 0],
      ['TUM/TUM-broken.png', 0],
    ]);
  });

  it('refuses a list label set whose class count differs from the folders', async () => {
    await expect(readLabelSet(fixture('zero-shot', 'labels-pathoclip.json'), ['A', 'B'])).rejects.toThrow(/3 classes but the data has 2 class folders/);
  });
});

describe('retrieval pairs', () => {
  it('ARCH captions.json finds images/UUID.png; a missing image keeps its pair (the harness records the error)', async () => {
    const pairs = await readArchCaptions(fixture('arch', 'captions.json'));
    expect(pairs).toHaveLength(5);
    expect(pairs[2]).toMatchObject({ id: '2', caption: 'Gland-forming adenocarcinoma.' });
    expect((await decodeImage(pairs[0]!.image)).width).toBe(64);
    await expect(decodeImage(pairs[4]!.image)).rejects.toThrow();
  });

  it('an image/caption TSV', async () => {
    const pairs = await readCaptionTsv(fixture('caption-tsv', 'pairs.tsv'));
    expect(pairs.map((pair) => pair.caption)).toEqual(['Adipose tissue.', 'Lymphocytes.', 'Tumour epithelium.']);
    expect(pairs[1]!.image).toEqual({ kind: 'file', path: fixture('caption-tsv', 'images', 'pair_1.png') });
  });
});
