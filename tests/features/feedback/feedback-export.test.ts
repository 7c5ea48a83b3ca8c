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
  recordImageFiles,
  toMessagesLine,
  toQwenVlLine,
} from '../../../src/features/feedback/feedback-export';
import { indexedDbFeedbackStore } from '../../../src/features/feedback/feedback-db';
import type { FeedbackRecord } from '../../../src/features/feedback/feedback-record';
import { buildPathoR1Messages, PATHO_R1_SYSTEM_PROMPT } from '../../../src/inference/patho-r1-prompt';
import { accuracyReward, formatReward } from '../../../src/inference/patho-r1-rewards';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let png: Uint8Array;
/** Three "Ask the slide" regions of different sizes, so their order shows in the processor's image grids. */
let regionPngs: Uint8Array[];

const solid = async (width: number, height: number, r: number) =>
  new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: { r, g: 160, b: 200 } } })
      .png()
      .toBuffer(),
  );

beforeAll(async () => {
  png = await solid(32, 24, 230);
  regionPngs = [await solid(56, 56, 10), await solid(112, 56, 90), await solid(56, 168, 170)];
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

const FIRST_REPLY = '<think>Crowded glands with atypia.</think><answer>B. Adenocarcinoma</answer>';

/** A follow-up (third question of an Ask conversation, corrected) and an "Ask the slide" answer over three regions. */
const multiRecords = () => [
  record('ask:c9:3', {
    question: 'What grade?',
    options: [],
    earlierTurns: [
      { question: 'What is the most likely diagnosis?', options, reply: FIRST_REPLY },
      { question: 'Is there lymphovascular invasion?', options: [], reply: '<think>No tumour in vessels.</think><answer>No</answer>' },
    ],
    verdict: 'incorrect',
    originalReasoning: 'Well formed glands.',
    originalAnswer: 'Grade 1',
    reasoning: 'Cribriform glands, marked atypia.',
    answer: 'Grade 3',
  }),
  record('ask-slide:0a1b2c3d:50', {
    source: 'ask-slide',
    question: 'Is there invasive carcinoma on this slide?',
    options: ['Yes', 'No'],
    imagePng: regionPngs[0]!,
    moreImagesPng: regionPngs.slice(1),
    reasoning: 'Infiltrating glands in regions 1 and 3.',
    answer: 'A',
    originalReasoning: 'Infiltrating glands in regions 1 and 3.',
    originalAnswer: 'A',
  }),
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

  it('a follow-up is exported as the conversation the model was given (image with the first turn, earlier replies as written) with the corrected last turn as the target', () => {
    const built = buildFeedbackExport(multiRecords());
    const followUp = built.sft[0]!;
    const turns = [
      { question: 'What is the most likely diagnosis?', options, withImage: true, reply: FIRST_REPLY },
      { question: 'Is there lymphovascular invasion?', withImage: false, reply: '<think>No tumour in vessels.</think><answer>No</answer>' },
      { question: 'What grade?', withImage: false },
    ];
    // sft-messages.jsonl: exactly the prompt the Ask tab built (buildPathoR1Messages), the image part naming the file.
    const asked = buildPathoR1Messages(turns).map((message) => ({
      role: message.role,
      content: message.content.map((part) => (part.type === 'image' ? { type: 'image', image: 'images/ask_c9_3.png' } : part)),
    }));
    const target = '<think>Cribriform glands, marked atypia.</think><answer>Grade 3</answer>';
    expect(toMessagesLine(followUp)).toEqual({
      messages: [...asked, { role: 'assistant', content: [{ type: 'text', text: target }] }],
      images: ['images/ask_c9_3.png'],
    });
    expect(followUp.messages.map((message) => [message.role, message.content])).toEqual([
      ['system', PATHO_R1_SYSTEM_PROMPT],
      ['user', '<image>What is the most likely diagnosis?\nA. Adenoma\nB. Adenocarcinoma\nC. Lymphoma'],
      ['assistant', FIRST_REPLY],
      ['user', 'Is there lymphovascular invasion?'],
      ['assistant', '<think>No tumour in vessels.</think><answer>No</answer>'],
      ['user', 'What grade?'],
      ['assistant', target],
    ]);
    expect(toQwenVlLine(followUp).conversations.map((turn) => turn.from)).toEqual(['human', 'gpt', 'human', 'gpt', 'human', 'gpt']);
    expect(toQwenVlLine(followUp).conversations[0]!.value).toBe('<image>\nWhat is the most likely diagnosis?\nA. Adenoma\nB. Adenocarcinoma\nC. Lymphoma');
    // RL: the ground truth of the last turn, with the whole prompt (the question alone means nothing without the turns before it).
    const rl = built.rl[0]!;
    expect(rl).toMatchObject({ id: 'ask:c9:3', problem: 'What grade?', answer: 'Grade 3', answer_index: null, turns: 3, images: ['images/ask_c9_3.png'] });
    expect(rl.prompt).toEqual(followUp.messages.slice(0, -1));
    expect(accuracyReward(target, { kind: 'text', answer: rl.answer })).toBe(1);
  });

  it('an "Ask the slide" answer has one image per region, in prompt order, each after its "Region N: " label, written beside the export', () => {
    const records = multiRecords();
    const built = buildFeedbackExport(records);
    const slide = built.sft[1]!;
    const files = ['images/ask-slide_0a1b2c3d_50.png', 'images/ask-slide_0a1b2c3d_50_region2.png', 'images/ask-slide_0a1b2c3d_50_region3.png'];
    expect(slide.images).toEqual(files);
    expect(slide.messages[1]!.content).toBe(
      'Region 1: <image>\nRegion 2: <image>\nRegion 3: <image>\nIs there invasive carcinoma on this slide?\nA. Yes\nB. No',
    );
    const asked = buildPathoR1Messages([{ question: records[1]!.question, options: ['Yes', 'No'], withImage: true, regions: 3 }]);
    let image = 0;
    expect(toMessagesLine(slide).messages[1]).toEqual({
      role: 'user',
      content: asked[1]!.content.map((part) => (part.type === 'image' ? { type: 'image', image: files[image++] } : part)),
    });
    expect(toQwenVlLine(slide).image).toEqual(files);
    expect(built.rl[1]).toMatchObject({ answer: 'Yes', answer_index: 0, images: files, turns: 1 });
    const written = feedbackExportFiles(records, new Date());
    files.forEach((name, index) => expect(written[name]).toEqual(regionPngs[index]));
    // A region file never takes another record's name.
    expect([...recordImageFiles([...records, record('ask-slide:0a1b2c3d:50_region2', {})]).values()].flat()).toHaveLength(5);
    expect(new Set([...recordImageFiles([...records, record('ask-slide:0a1b2c3d:50_region2', {})]).values()].flat()).size).toBe(5);
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
      for (const [name, bytes] of Object.entries(feedbackExportFiles([...records(), ...multiRecords()], new Date()))) {
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
    roles = [m["role"] for m in row["messages"]]
    assert roles[0] == "system" and roles[1:] == ["user", "assistant"] * (len(roles) // 2), roles
    assert sum(m["content"].count("<image>") for m in row["messages"]) == len(row["images"]) >= 1
    for image in row["images"]:
        Image.open(os.path.join(root, image)).verify()
for row in rl:
    assert row["prompt"][-1]["content"] == row["problem"] and row["turns"] == sum(m["role"] == "user" for m in row["prompt"])
print(json.dumps({"sft": len(sft), "rl": len(rl), "turns": sorted(len(row["messages"]) for row in sft), "columns": sorted(sft.column_names)}))
`;
      const run = spawnSync(python, ['-c', script, folder], { encoding: 'utf8' });
      expect(run.stderr.split('\n').filter((line) => /Error|assert/.test(line))).toEqual([]);
      expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ sft: 6, rl: 6, turns: [3, 3, 3, 3, 3, 7], columns: ['images', 'messages'] });
    },
    60_000,
  );

  const hasTransformers = existsSync(python) && spawnSync(python, ['-c', 'import transformers, torchvision'], { encoding: 'utf8' }).status === 0;
  it.runIf(hasTransformers || process.env.CI === 'true')(
    "the Qwen2.5-VL processor (the tiny Patho-R1's) reads sft-messages.jsonl: the image loaded from its path, its tokens in place, the target after the user turn",
    () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'feedback-qwen-'));
      for (const [name, bytes] of Object.entries(feedbackExportFiles([...records(), ...multiRecords()], new Date()))) {
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
from PIL import Image
kinds = []
for line, item in zip(lines, qwen):
    messages = line["messages"]
    images = line["images"]
    text = processor.apply_chat_template(messages, tokenize=False)
    out = processor.apply_chat_template(messages, tokenize=True, return_dict=True, return_tensors="np")
    grid = out["image_grid_thw"]
    # one grid per image, in the order of the image parts (each region's own size)
    assert grid.shape[0] == len(images), grid.shape
    for k, path in enumerate(images):
        alone = processor.image_processor(images=[Image.open(path).convert("RGB")], return_tensors="np")["image_grid_thw"][0]
        assert list(grid[k]) == list(alone), (k, grid[k], alone)
    assert int((out["input_ids"][0] == pad).sum()) == int(sum(int(g.prod()) for g in grid)) // (merge * merge)
    assert text.count("<|vision_start|><|image_pad|><|vision_end|>") == len(images), text
    target = messages[-1]["content"][0]["text"]
    assert text.endswith("<|im_start|>assistant\\n" + target + "<|im_end|>\\n"), text
    users = [m for m in messages if m["role"] == "user"]
    if len(images) > 1:
        for k in range(len(images)):
            assert ("\\n" if k else "") + f"Region {k + 1}: <|vision_start|>" in text, text
        kinds.append("regions")
    if len(users) > 1:
        # the earlier turns in order, the image with the first user turn only
        positions = [text.index(m["content"][-1]["text"]) for m in messages[1:]]
        assert positions == sorted(positions), positions
        assert all(part["type"] == "text" for m in users[1:] for part in m["content"])
        kinds.append("follow-up")
    assert sorted(item) == ["conversations", "image"]
    assert (item["image"] if isinstance(item["image"], list) else [item["image"]]) == images and all(os.path.isfile(p) for p in images)
    assert [turn["from"] for turn in item["conversations"]] == ["human", "gpt"] * len(users)
    assert sum(turn["value"].count("<image>") for turn in item["conversations"]) == len(images)
    assert item["conversations"][-1]["value"] == target
print(json.dumps({"messages": len(lines), "qwen": len(qwen), "kinds": kinds}))
`;
      const run = spawnSync(python, ['-c', script, folder, path.join(ROOT, 'models/tiny/patho-r1')], { encoding: 'utf8' });
      expect(run.stderr.split('\n').filter((line) => /Error|assert/.test(line))).toEqual([]);
      expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ messages: 6, qwen: 6, kinds: ['follow-up', 'regions'] });
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
