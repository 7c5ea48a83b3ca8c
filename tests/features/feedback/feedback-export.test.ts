/**
 * Expert feedback exported as training data: which records go to SFT and RL and why others are skipped, the
 * ShareGPT/ms-swift line shape with the Patho-R1 target (which the RL rewards accept), the zip's files, and the
 * IndexedDB store. The SFT file is also loaded by Hugging Face `datasets` when the venv has it.
 */
import 'fake-indexeddb/auto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildFeedbackExport,
  feedbackExportFiles,
  feedbackExportZip,
  imageFileName,
  imageFileNames,
  toMessagesLine,
  toQwenVlLine,
} from '../../../src/features/feedback/feedback-export';
import { indexedDbFeedbackStore } from '../../../src/features/feedback/feedback-db';
import type { FeedbackRecord } from '../../../src/features/feedback/feedback-record';
import { PATHO_R1_SYSTEM_PROMPT } from '../../../src/inference/patho-r1-prompt';
import { accuracyReward, formatReward } from '../../../src/inference/patho-r1-rewards';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let png: Uint8Array;

beforeAll(async () => {
  png = new Uint8Array(
    await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 230, g: 160, b: 200 } } })
      .png()
      .toBuffer(),
  );
});

const options = ['Adenoma', 'Adenocarcinoma', 'Lymphoma'];

function record(id: string, patch: Partial<FeedbackRecord>): FeedbackRecord {
  return {
    id,
    source: 'ask',
    question: 'What is the most likely diagnosis?',
    options,
    imagePng: png,
    verdict: 'correct',
    reasoning: 'Crowded glands with atypia.',
    answer: 'B',
    originalReasoning: 'Crowded glands with atypia.',
    originalAnswer: 'B',
    createdAt: 1,
    updatedAt: 1,
    ...patch,
  };
}

const records = () => [
  record('ask:1', {}),
  record('practice:2', {
    source: 'practice',
    verdict: 'incorrect',
    originalAnswer: 'A',
    originalReasoning: 'Looks benign.',
    answer: 'C. Lymphoma',
    reasoning: 'Sheets of atypical lymphoid cells.',
  }),
  record('ask:3', { verdict: 'incorrect', originalAnswer: 'A', answer: 'B' }),
  record('ask:4', { verdict: 'incorrect' }),
  record('ask/5 open', {
    options: [],
    question: 'Describe the histological features',
    answer: 'Sheets of lymphoid cells.',
    originalAnswer: 'Sheets of lymphoid cells.',
  }),
  record('ask:6', { answer: 'A or B', originalAnswer: 'A or B' }),
];

describe('feedback export', () => {
  it('confirmed and corrected answers go to SFT and RL; uncorrected incorrect ones are skipped with a reason', () => {
    const built = buildFeedbackExport(records());
    expect(built.sft.map((line) => line.images[0])).toEqual([
      imageFileName('ask:1'),
      imageFileName('practice:2'),
      imageFileName('ask/5 open'),
      imageFileName('ask:6'),
    ]);
    expect(built.rl.map((line) => [line.id, line.answer, line.answer_index])).toEqual([
      ['ask:1', 'Adenocarcinoma', 1],
      ['practice:2', 'Lymphoma', 2],
      ['ask:3', 'Adenocarcinoma', 1],
      ['ask/5 open', 'Sheets of lymphoid cells.', null],
    ]);
    expect(built.skipped).toEqual([
      { id: 'ask:3', from: 'sft', reason: 'the answer was corrected but not the reasoning that led to it' },
      { id: 'ask:4', from: 'both', reason: 'marked incorrect without a corrected answer' },
      { id: 'ask:6', from: 'rl', reason: 'the answer names several options' },
    ]);
    expect(imageFileName('ask/5 open')).toBe('images/ask_5_open.png');
  });

  it('an SFT line is Qwen2.5-VL chat messages with <image> and the <think>/<answer> target; RL rewards accept it against the RL ground truth', () => {
    const built = buildFeedbackExport(records());
    const corrected = built.sft[1]!;
    expect(corrected).toEqual({
      messages: [
        { role: 'system', content: PATHO_R1_SYSTEM_PROMPT },
        { role: 'user', content: '<image>What is the most likely diagnosis?\nA. Adenoma\nB. Adenocarcinoma\nC. Lymphoma' },
        { role: 'assistant', content: '<think>Sheets of atypical lymphoid cells.</think><answer>C. Lymphoma</answer>' },
      ],
      images: ['images/practice_2.png'],
    });
    for (const line of built.sft) {
      const target = line.messages[2]!.content;
      expect(formatReward(target)).toBe(1);
      const truth = built.rl.find((entry) => entry.images[0] === line.images[0]);
      if (truth) {
        const groundTruth =
          truth.answer_index === null
            ? { kind: 'text' as const, answer: truth.answer }
            : { kind: 'mcq' as const, options: truth.options, answerIndex: truth.answer_index };
        expect(accuracyReward(target, groundTruth)).toBe(1);
      }
    }
    expect(built.rl[0]!.problem).toBe('<image>What is the most likely diagnosis?\nA. Adenoma\nB. Adenocarcinoma\nC. Lymphoma');
  });

  it('two ids that would share an image file name (replaced characters, or only case) get their own files with their own pixels', async () => {
    const other = new Uint8Array(
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 10, g: 20, b: 200 } } })
        .png()
        .toBuffer(),
    );
    const clashing = [record('ask:1:2', {}), record('ask:1_2', { imagePng: other }), record('ASK:1:2', {})];
    expect([...imageFileNames(clashing).values()]).toEqual(['images/ask_1_2.png', 'images/ask_1_2-2.png', 'images/ASK_1_2-3.png']);
    const files = feedbackExportFiles(clashing, new Date());
    const built = buildFeedbackExport(clashing);
    expect(built.sft.map((line) => line.images[0])).toEqual(['images/ask_1_2.png', 'images/ask_1_2-2.png', 'images/ASK_1_2-3.png']);
    expect(files['images/ask_1_2.png']).toEqual(png);
    expect(files['images/ask_1_2-2.png']).toEqual(other);
    expect(files['images/ASK_1_2-3.png']).toEqual(png);
  });

  it('sft-messages.jsonl has content parts (the image part names the file) and sft-qwen-vl.jsonl is human/gpt conversations, same text', () => {
    const built = buildFeedbackExport(records());
    const corrected = built.sft[1]!;
    expect(toMessagesLine(corrected)).toEqual({
      messages: [
        { role: 'system', content: [{ type: 'text', text: PATHO_R1_SYSTEM_PROMPT }] },
        {
          role: 'user',
          content: [
            { type: 'image', image: 'images/practice_2.png' },
            { type: 'text', text: 'What is the most likely diagnosis?\nA. Adenoma\nB. Adenocarcinoma\nC. Lymphoma' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: '<think>Sheets of atypical lymphoid cells.</think><answer>C. Lymphoma</answer>' }] },
      ],
      images: ['images/practice_2.png'],
    });
    expect(toQwenVlLine(corrected)).toEqual({
      image: 'images/practice_2.png',
      conversations: [
        { from: 'human', value: '<image>\nWhat is the most likely diagnosis?\nA. Adenoma\nB. Adenocarcinoma\nC. Lymphoma' },
        { from: 'gpt', value: '<think>Sheets of atypical lymphoid cells.</think><answer>C. Lymphoma</answer>' },
      ],
    });
  });

  it('the zip holds sft.jsonl, rl.jsonl, dataset_info.json, manifest.json and the images of exported records only', () => {
    const zip = unzipSync(feedbackExportZip(records(), new Date('2026-11-28T12:00:00Z')));
    expect(Object.keys(zip).sort()).toEqual(
      [
        'dataset_info.json',
        'images/ask_1.png',
        'images/ask_3.png',
        'images/ask_5_open.png',
        'images/ask_6.png',
        'images/practice_2.png',
        'manifest.json',
        'rl.jsonl',
        'sft-messages.jsonl',
        'sft-qwen-vl.jsonl',
        'sft.jsonl',
      ].map((name) => `patholens-feedback/${name}`),
    );
    expect(zip['patholens-feedback/images/ask_1.png']).toEqual(png);
    const sft = strFromU8(zip['patholens-feedback/sft.jsonl']!).trim().split('\n');
    expect(sft).toHaveLength(4);
    expect(JSON.parse(strFromU8(zip['patholens-feedback/manifest.json']!))).toMatchObject({
      records: 6,
      sft: 4,
      rl: 4,
      exportedAt: '2026-11-28T12:00:00.000Z',
    });
    expect(JSON.parse(strFromU8(zip['patholens-feedback/dataset_info.json']!)).patholens_feedback.file_name).toBe('sft.jsonl');
  });

  const python = path.join(ROOT, '.venv/bin/python');
  const hasDatasets = existsSync(python) && spawnSync(python, ['-c', 'import datasets'], { encoding: 'utf8' }).status === 0;
  it.runIf(hasDatasets || process.env.CI === 'true')(
    'Hugging Face datasets loads sft.jsonl and rl.jsonl; every image path resolves to a PNG beside them',
    () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'feedback-'));
      for (const [name, bytes] of Object.entries(feedbackExportFiles(records(), new Date()))) {
        mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
        writeFileSync(path.join(folder, name), bytes);
      }
      const script = `
import json, os, sys
from datasets import load_dataset
from PIL import Image
root = sys.argv[1]
sft = load_dataset("json", data_files=os.path.join(root, "sft.jsonl"), split="train")
rl = load_dataset("json", data_files=os.path.join(root, "rl.jsonl"), split="train")
for row in sft:
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
    assert row["messages"][1]["content"].count("<image>") == len(row["images"]) == 1
    Image.open(os.path.join(root, row["images"][0])).verify()
print(json.dumps({"sft": len(sft), "rl": len(rl), "columns": sorted(sft.column_names)}))
`;
      const run = spawnSync(python, ['-c', script, folder], { encoding: 'utf8' });
      expect(run.stderr.split('\n').filter((line) => /Error|assert/.test(line))).toEqual([]);
      expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ sft: 4, rl: 4, columns: ['images', 'messages'] });
    },
    60_000,
  );

  const hasTransformers = existsSync(python) && spawnSync(python, ['-c', 'import transformers, torchvision'], { encoding: 'utf8' }).status === 0;
  it.runIf(hasTransformers || process.env.CI === 'true')(
    "the Qwen2.5-VL processor (the tiny Patho-R1's) reads sft-messages.jsonl: the image loaded from its path, its tokens in place, the target after the user turn",
    () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'feedback-qwen-'));
      for (const [name, bytes] of Object.entries(feedbackExportFiles(records(), new Date()))) {
        mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
        writeFileSync(path.join(folder, name), bytes);
      }
      // apply_chat_template with tokenize=True loads each image part's file itself (relative to the export folder) and
      // expands <|image_pad|> to the image's grid: the path a Qwen2.5-VL trainer (TRL, qwen-vl-finetune) takes.
      const script = `
import json, os, sys
from transformers import AutoProcessor
root, model = sys.argv[1], sys.argv[2]
processor = AutoProcessor.from_pretrained(model)
os.chdir(root)
pad = processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
merge = processor.image_processor.merge_size
with open("sft-messages.jsonl") as f:
    lines = [json.loads(line) for line in f]
with open("sft-qwen-vl.jsonl") as f:
    qwen = [json.loads(line) for line in f]
for line, item in zip(lines, qwen):
    messages = line["messages"]
    text = processor.apply_chat_template(messages, tokenize=False)
    out = processor.apply_chat_template(messages, tokenize=True, return_dict=True, return_tensors="np")
    grid = out["image_grid_thw"]
    assert grid.shape[0] == len(line["images"]) == 1, grid.shape
    assert int((out["input_ids"][0] == pad).sum()) == int(grid[0].prod()) // (merge * merge)
    assert text.count("<|vision_start|><|image_pad|><|vision_end|>") == 1, text
    assert text.endswith("<|im_start|>assistant\\n" + messages[2]["content"][0]["text"] + "<|im_end|>\\n"), text
    assert sorted(item) == ["conversations", "image"] and item["image"] == line["images"][0] and os.path.isfile(item["image"])
    assert [turn["from"] for turn in item["conversations"]] == ["human", "gpt"]
    assert item["conversations"][0]["value"].count("<image>") == 1
    assert item["conversations"][1]["value"] == messages[2]["content"][0]["text"]
print(json.dumps({"messages": len(lines), "qwen": len(qwen)}))
`;
      const run = spawnSync(python, ['-c', script, folder, path.join(ROOT, 'models/tiny/patho-r1')], { encoding: 'utf8' });
      expect(run.stderr.split('\n').filter((line) => /Error|assert/.test(line))).toEqual([]);
      expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ messages: 4, qwen: 4 });
    },
    120_000,
  );
});

describe('feedback store (IndexedDB)', () => {
  it('keeps one record per id (saving again replaces it), lists by last save, and drops a damaged record', async () => {
    const store = indexedDbFeedbackStore(`test-feedback-${Math.random()}`);
    await store.put(record('a', { updatedAt: 5 }));
    await store.put(record('b', { updatedAt: 3 }));
    await store.put(record('a', { updatedAt: 9, verdict: 'incorrect', answer: 'C' }));
    const all = await store.all();
    expect(all.map((entry) => [entry.id, entry.verdict, entry.answer])).toEqual([
      ['b', 'correct', 'B'],
      ['a', 'incorrect', 'C'],
    ]);
    expect((await store.get('a'))?.imagePng).toEqual(png);
    await store.put({ ...record('c', { updatedAt: 10 }), verdict: 'maybe' } as unknown as FeedbackRecord);
    expect((await store.all()).map((entry) => entry.id)).toEqual(['b', 'a']);
    expect(await store.get('c')).toBeUndefined();
    await store.remove('a');
    expect((await store.all()).map((entry) => entry.id)).toEqual(['b']);
  });
});
