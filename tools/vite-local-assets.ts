/**
 * Serves files that live outside public/ under fixed URL prefixes, in the dev server, the preview server and
 * the production build alike, so nothing is ever fetched from a CDN or a model hub:
 *   /ort/*     ONNX Runtime Web's WASM runtime (from node_modules/onnxruntime-web/dist)
 *   /models/*  exported model directories (models/tiny committed; models/local for the user's own exports)
 * /models/index.json lists the directories that hold a manifest.json, for the Models tab.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Connect, Plugin } from 'vite';

export interface AssetMount {
  /** URL prefix with leading and trailing slash, e.g. "/ort/". */
  urlPrefix: string;
  /** Folder on disk that the prefix maps to. */
  directory: string;
  /** Which file names (relative, POSIX) to serve and copy; everything else is 404. */
  include: (relativePath: string) => boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.jinja': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function ortWasmMount(root: string): AssetMount {
  return {
    urlPrefix: '/ort/',
    directory: path.join(root, 'node_modules', 'onnxruntime-web', 'dist'),
    // The asyncify variant (WebGPU and WASM in one binary, transformers.js's default) for WebGPU, and the CPU-only
    // build the workers choose on the processor (faster there: src/inference/worker-model-files.ts).
    include: (file) => /^ort-wasm-simd-threaded(\.asyncify)?\.(mjs|wasm)$/.test(file),
  };
}

export function modelsMount(root: string): AssetMount {
  return {
    urlPrefix: '/models/',
    directory: path.join(root, 'models'),
    // Only model directories (tiny test models, the user's own exports), never the Python exporter.
    include: (file) => /^(tiny|local)\//.test(file) && !file.split('/').some((part) => part.startsWith('.')),
  };
}

/** Model directories (relative to models/) that contain a manifest.json. */
export async function listModelDirectories(modelsDirectory: string): Promise<string[]> {
  const found: string[] = [];
  for (const group of ['tiny', 'local']) {
    const groupDir = path.join(modelsDirectory, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of await readdir(groupDir, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(path.join(groupDir, entry.name, 'manifest.json'))) found.push(`${group}/${entry.name}`);
    }
  }
  return found.sort();
}

function resolveInside(mount: AssetMount, urlPath: string): string | null {
  const relative = decodeURIComponent(urlPath.slice(mount.urlPrefix.length));
  if (relative.includes('\0') || relative.split('/').includes('..') || !mount.include(relative)) return null;
  const file = path.join(mount.directory, relative);
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

function sendFile(file: string, response: ServerResponse, headers: Record<string, string>): void {
  const size = statSync(file).size;
  response.writeHead(200, {
    ...headers,
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(size),
    'Cache-Control': 'no-cache',
  });
  createReadStream(file).pipe(response);
}

function middleware(mounts: AssetMount[], modelsDirectory: string, headers: Record<string, string>): Connect.NextHandleFunction {
  return (request: IncomingMessage, response: ServerResponse, next: () => void) => {
    const urlPath = (request.url ?? '').split('?')[0] ?? '';
    if (urlPath === '/models/index.json') {
      void listModelDirectories(modelsDirectory).then((directories) => {
        response.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
        response.end(JSON.stringify({ directories }));
      }, next);
      return;
    }
    const mount = mounts.find((candidate) => urlPath.startsWith(candidate.urlPrefix));
    if (!mount) return next();
    const file = resolveInside(mount, urlPath);
    if (!file) {
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`Not found: ${urlPath}`);
      return;
    }
    sendFile(file, response, headers);
  };
}

async function copyMount(mount: AssetMount, outDir: string): Promise<void> {
  if (!existsSync(mount.directory)) return;
  const target = path.join(outDir, mount.urlPrefix);
  await cp(mount.directory, target, {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(mount.directory, source).split(path.sep).join('/');
      if (relative === '') return true;
      if (statSync(source).isDirectory()) return !relative.split('/').some((part) => part.startsWith('.')) && !relative.startsWith('export');
      return mount.include(relative);
    },
  });
}

export function localAssets(root: string, headers: Record<string, string>): Plugin {
  const mounts = [ortWasmMount(root), modelsMount(root)];
  const modelsDirectory = path.join(root, 'models');
  let outDir = path.join(root, 'dist');
  return {
    name: 'patholens-local-assets',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(middleware(mounts, modelsDirectory, headers));
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware(mounts, modelsDirectory, headers));
    },
    async closeBundle() {
      for (const mount of mounts) await copyMount(mount, outDir);
      await mkdir(path.join(outDir, 'models'), { recursive: true });
      await writeFile(path.join(outDir, 'models', 'index.json'), JSON.stringify({ directories: await listModelDirectories(modelsDirectory) }));
    },
  };
}
