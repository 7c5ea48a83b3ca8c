// Tokenize JSON texts (stdin) with transformers.js from a local model dir: node tokenize.mjs <parent> <name>
// Prints the ids without truncation or padding (what the app gets before its open_clip-style truncation),
// and with transformers.js's own `truncation: true, max_length: 77` for comparison.
import fs from 'node:fs';
import { AutoTokenizer, env } from '@huggingface/transformers';

env.allowRemoteModels = false;
env.localModelPath = process.argv[2];
const tok = await AutoTokenizer.from_pretrained(process.argv[3]);
const texts = JSON.parse(fs.readFileSync(0, 'utf8'));
const ids = (enc) => Array.from(enc.input_ids.data, Number);
console.log(JSON.stringify({
  full: texts.map((t) => ids(tok(t))),
  truncated: texts.map((t) => ids(tok(t, { truncation: true, max_length: 77 }))),
  padded: texts.map((t) => ids(tok(t, { padding: 'max_length', max_length: 77 }))),
}));
