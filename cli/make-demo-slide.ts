/**
 * `npm run make-demo-slide [-- --force] [--size N] [--out PATH]`: writes the built-in demo slide to
 * public/demo/demo-slide.svs (git-ignored). Runs before `npm start`; returns at once when the slide exists.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeHeSlide } from './he-slide-writer';

export const DEMO_SLIDE_FILE = resolve(import.meta.dirname, '../public/demo/demo-slide.svs');

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  const out = resolve(option(args, '--out') ?? DEMO_SLIDE_FILE);
  const size = Number(option(args, '--size') ?? 16384);
  if (existsSync(out) && !args.includes('--force')) {
    console.log(`Demo slide already present: ${out}`);
    return;
  }
  mkdirSync(dirname(out), { recursive: true });
  const started = performance.now();
  console.log(`Writing the demo slide (${size} x ${size} px, 0.25 µm/px, 40x) to ${out} ...`);
  const { levels, tiles } = await writeHeSlide({
    path: out,
    size,
    onProgress: (done, total) => process.stdout.write(`\r  ${done}/${total} tiles`),
  });
  console.log(`\r  ${tiles} tiles in ${levels} levels, ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main(process.argv.slice(2));
