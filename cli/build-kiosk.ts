/**
 * `npm run kiosk [-- --out DIR] [--config kiosk.json]`: builds PathoLens as a folder that any static server or a USB
 * stick serves (default dist-kiosk/): the production app with its service worker (offline after the first visit),
 * the demo slide and the demo models, a kiosk.json (yours with --config, else the defaults) that turns kiosk mode on,
 * and the server files that send the headers it needs: serve.json (`npx serve dist-kiosk`), nginx.conf and Caddyfile.
 * Without those headers it still runs, not cross-origin isolated: WASM on one thread, and Stop acts between tokens.
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build } from 'vite';
import { contentSecurityPolicy, crossOriginIsolationHeaders } from '../src/app/security-headers';
import { DEFAULT_KIOSK_CONFIG, parseKioskFile } from '../src/features/kiosk/kiosk-config';
import { kioskServerFiles } from '../tools/kiosk-server-files';

const ROOT = resolve(import.meta.dirname, '..');

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  const outDir = resolve(option(args, '--out') ?? resolve(ROOT, 'dist-kiosk'));
  const configPath = option(args, '--config');
  if (!existsSync(resolve(ROOT, 'public/demo/demo-slide.svs'))) throw new Error('public/demo/demo-slide.svs is missing: run npm run make-demo-slide first.');
  if (configPath) {
    // Refuse a kiosk.json with mistakes here, where they can be fixed, rather than on the kiosk's screen.
    const parsed = parseKioskFile(JSON.parse(await readFile(configPath, 'utf8')) as unknown);
    if (parsed && parsed.problems.length > 0) throw new Error(parsed.problems.join('\n'));
  }
  await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  if (configPath) await copyFile(configPath, resolve(outDir, 'kiosk.json'));
  else await writeFile(resolve(outDir, 'kiosk.json'), `${JSON.stringify(DEFAULT_KIOSK_CONFIG, null, 2)}\n`);
  const files = kioskServerFiles({ headers: crossOriginIsolationHeaders, contentSecurityPolicy: contentSecurityPolicy({}) });
  for (const [name, text] of Object.entries(files)) await writeFile(resolve(outDir, name), text);
  console.log(`Kiosk built in ${outDir}.
Serve it with the headers it needs, e.g.:
  npx serve ${outDir} -l 8080          (reads serve.json)
  caddy run --config ${resolve(outDir, 'Caddyfile')}   (from that folder)
  nginx: ${resolve(outDir, 'nginx.conf')}
then open http://localhost:8080/ (kiosk.json turns kiosk mode on; edit it there to change the idle timeout).`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
