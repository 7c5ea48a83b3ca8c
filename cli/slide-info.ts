/**
 * `npm run slide-info -- FILE_OR_URL`: prints a slide's metadata as JSON, read by the same readers as the app.
 * A file that cannot be read prints one sentence on stderr and exits with status 2.
 */
import { openSlideNode } from '../src/slide/open-slide-node';
import { SlideError } from '../src/slide/slide-source';

async function main(argv: string[]): Promise<number> {
  const target = argv.find((arg) => !arg.startsWith('--'));
  if (!target) {
    process.stderr.write('Usage: npm run slide-info -- FILE_OR_URL\n');
    return 2;
  }
  try {
    const slide = await openSlideNode(/^https?:\/\//.test(target) ? { url: target } : { path: target });
    process.stdout.write(`${JSON.stringify(slide.metadata, null, 2)}\n`);
    await slide.close();
    return 0;
  } catch (error) {
    const sentence = error instanceof SlideError ? error.message : `${target} could not be read: ${(error as Error).message ?? error}.`;
    process.stderr.write(`${sentence}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
