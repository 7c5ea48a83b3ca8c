// Run a PathoCLIP directory through transformers.js in Node: node clip_embed.mjs <parent> <name> <dtype>
// stdin: {"texts": [...], "images": [paths]}. Tokenizes the open_clip way documented in config.json
// (no truncation, keep 76 + <end_of_text>, pad with 0 to 77), runs text_model / vision_model, and prints
// ids, pixel_values and embeddings as JSON.
import fs from 'node:fs';
import {
  AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, RawImage, Tensor, env,
} from '@huggingface/transformers';

env.allowRemoteModels = false;
env.localModelPath = process.argv[2];
const name = process.argv[3];
const dtype = process.argv[4] ?? 'fp32';
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const config = JSON.parse(fs.readFileSync(`${process.argv[2]}/${name}/config.json`, 'utf8'));
const { context_length: n, eos_token_id: eos, pad_token_id: pad } = config.patholens.text_truncation;

const tokenizer = await AutoTokenizer.from_pretrained(name);
const ids = input.texts.map((t) => {
  let row = Array.from(tokenizer(t).input_ids.data, Number);
  if (row.length > n) { row = row.slice(0, n); row[n - 1] = eos; }
  while (row.length < n) row.push(pad);
  return row;
});
const textModel = await CLIPTextModelWithProjection.from_pretrained(name, { dtype, device: 'cpu' });
const input_ids = new Tensor('int64', BigInt64Array.from(ids.flat().map(BigInt)), [ids.length, n]);
const { text_embeds } = await textModel({ input_ids });

const processor = await AutoProcessor.from_pretrained(name);
const visionModel = await CLIPVisionModelWithProjection.from_pretrained(name, { dtype, device: 'cpu' });
const images = await Promise.all(input.images.map((p) => RawImage.read(p)));
const { pixel_values } = await processor(images);
const { image_embeds } = await visionModel({ pixel_values });

console.log(JSON.stringify({
  input_ids: ids,
  text_embeds: text_embeds.tolist(),
  pixel_values: pixel_values.tolist(),
  image_embeds: image_embeds.tolist(),
}));
