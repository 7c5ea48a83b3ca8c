/**
 * `npm run eval -- TASK --model DIR --data PATH --out DIR [options]`: evaluates a model on a benchmark file with
 * the app's own code (see README, Evaluation). Bad input prints one sentence on stderr and exits with 2; a bad
 * item is recorded as an error and the run goes on. Rerun the same command to resume a killed run.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelDtype } from '../src/inference/model-manifest';
import { PathoR1Runtime } from '../src/inference/patho-r1-runtime';
import { InThreadPathoR1Engine } from '../src/inference/in-thread-engine';
import { PathoClipRuntime } from '../src/inference/pathoclip-runtime';
import { createOpenAiCompatibleEngine } from '../src/inference/remote/openai-engine';
import { runEval, TASKS, type Engines } from './harness';
import { DatasetError } from './items';
import type { TaskName } from './summary';

const USAGE = `Usage: npm run eval -- TASK --model DIR --data PATH --out DIR [--labels FILE] [--images DIR] [--split NAME] [--dtype fp32]
       [--max-new-tokens N] [--remote URL --model NAME --concurrency N]
TASK: ${TASKS.join(', ')}`;

class UsageError extends Error {}
class HelpRequest extends Error {}

const DTYPES: readonly ModelDtype[] = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];

function parse(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        labels: { type: 'string' },
        split: { type: 'string' },
        images: { type: 'string' },
        dtype: { type: 'string', default: 'fp32' },
        'max-new-tokens': { type: 'string' },
        remote: { type: 'string' },
        'api-key': { type: 'string' },
        concurrency: { type: 'string', default: '1' },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    // node:util's own sentence, e.g. "Unknown option '--modle'".
    const message = (error as Error).message;
    throw new UsageError(message.endsWith('.') ? message : `${message}.`);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new HelpRequest();
  const task = positionals[0] as TaskName | undefined;
  if (!task || !TASKS.includes(task)) throw new UsageError(`Name a task first (${TASKS.join(', ')}), not "${task ?? ''}".`);
  for (const required of ['model', 'data', 'out'] as const) {
    if (!values[required]) throw new UsageError(`--${required} is missing.`);
  }
  if (!DTYPES.includes(values.dtype as ModelDtype)) throw new UsageError(`--dtype must be one of ${DTYPES.join(', ')}.`);
  const concurrency = Number(values.concurrency);
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64)) throw new UsageError('--concurrency must be a whole number from 1 to 64.');
  if (concurrency > 1 && !values.remote) throw new UsageError('--concurrency above 1 needs --remote: a local model answers one question at a time.');
  const maxNewTokens = values['max-new-tokens'] === undefined ? undefined : Number(values['max-new-tokens']);
  if (maxNewTokens !== undefined && !(Number.isInteger(maxNewTokens) && maxNewTokens >= 1))
    throw new UsageError('--max-new-tokens must be a whole number, 1 or more.');
  return { task, values, concurrency, maxNewTokens };
}

async function loadEngines(task: TaskName, model: string, dtype: ModelDtype, remote: string | undefined, apiKey: string | undefined): Promise<Engines> {
  if (task === 'zero-shot' || task === 'retrieval') {
    if (remote) throw new UsageError(`--remote serves Patho-R1 tasks (mcq, vqa-closed, vqa-open), not ${task}.`);
    const clip = await PathoClipRuntime.load({
      modelRoot: path.dirname(path.resolve(model)),
      modelName: path.basename(model),
      imageDtype: dtype,
      textDtype: dtype,
      device: 'cpu',
    });
    return { clip };
  }
  if (remote) return { reasoner: createOpenAiCompatibleEngine({ baseUrl: remote, model, ...(apiKey ? { apiKey } : {}) }) };
  const runtime = await PathoR1Runtime.load({ modelRoot: path.dirname(path.resolve(model)), modelName: path.basename(model), dtype, device: 'cpu' });
  return { reasoner: new InThreadPathoR1Engine(runtime) };
}

async function main(argv: string[]): Promise<number> {
  try {
    const { task, values, concurrency, maxNewTokens } = parse(argv);
    const model = values.model as string;
    const engines = await loadEngines(task, model, values.dtype as ModelDtype, values.remote, values['api-key'] ?? process.env.OPENAI_API_KEY);
    const summary = await runEval(
      {
        task,
        data: values.data as string,
        out: values.out as string,
        model: values.remote ? `${values.remote} ${model}` : path.resolve(model),
        ...(values.labels ? { labels: values.labels } : {}),
        ...(values.split ? { split: values.split } : {}),
        ...(values.images ? { images: values.images } : {}),
        ...(maxNewTokens ? { maxNewTokens } : {}),
        concurrency,
        progress: !values['no-progress'],
      },
      engines,
    );
    const out = values.out as string;
    process.stdout.write(`${summary.evaluated} of ${summary.items} items evaluated, ${summary.errors} errors. Summary: ${path.join(out, 'summary.md')}\n`);
    for (const metric of summary.metrics.slice(0, 4)) {
      const interval = `95% CI ${(metric.low * 100).toFixed(1)}–${(metric.high * 100).toFixed(1)}%`;
      process.stdout.write(`  ${metric.name}: ${(metric.value * 100).toFixed(1)}% (${interval}, n = ${metric.n})\n`);
    }
    for (const [name, count] of Object.entries(summary.counts)) process.stdout.write(`  ${name}: ${count}\n`);
    for (const note of summary.notes ?? []) process.stdout.write(`Note: ${note}\n`);
    return 0;
  } catch (error) {
    if (error instanceof HelpRequest) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof DatasetError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`The evaluation failed: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
