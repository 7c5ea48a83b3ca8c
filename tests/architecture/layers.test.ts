/**
 * The layers of src/ stay true: the lint rule really refuses an upward import and a reach into another feature's
 * internals, and no folder of src/ is part of an import circle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../tools/eslint-layers.js';

const root = path.resolve(import.meta.dirname, '../..');

async function layerProblems(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'import-x/no-restricted-paths' || message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('the layer rule (ESLint, as `npm run lint` runs it)', () => {
  it('refuses an upward import: a slide reader importing a feature', async () => {
    const problems = await layerProblems(
      'src/slide/upward-fixture.ts',
      "import { VIEWER_TOOLS } from '../features/viewer/drawing';\nexport const tools = VIEWER_TOOLS;\n",
    );
    expect(problems).toEqual([expect.stringContaining('src/slide may import only src/ui')]);
  });

  it('refuses the inference layer importing app state', async () => {
    const problems = await layerProblems(
      'src/inference/upward-fixture.ts',
      "import { appStore } from '../session/app-store';\nexport const store = appStore;\n",
    );
    expect(problems).toEqual([expect.stringContaining('src/inference may import only')]);
  });

  it('refuses React and zustand in the inference layer', async () => {
    const problems = await layerProblems('src/inference/react-fixture.ts', "import { useState } from 'react';\nexport const hook = useState;\n");
    expect(problems).toEqual([expect.stringContaining('no React and no app state')]);
  });

  it("refuses a feature reaching into another feature's internals, and allows its index.ts", async () => {
    const internal = await layerProblems(
      'src/features/ask/cross-fixture.ts',
      "import { modelStore } from '../models/model-store';\nexport const store = modelStore;\n",
    );
    expect(internal).toEqual([expect.stringContaining('features/ask may use features/models only through its index.ts')]);
    const throughIndex = await layerProblems(
      'src/features/ask/cross-fixture.ts',
      "import { modelStore } from '../models';\nexport const store = modelStore;\n",
    );
    expect(throughIndex).toEqual([]);
  });

  it('allows a downward import', async () => {
    expect(
      await layerProblems('src/features/ask/down-fixture.ts', "import { slideStore } from '../../session/slide-store';\nexport const store = slideStore;\n"),
    ).toEqual([]);
  });
});

/** The folder of src/ a file belongs to: its layer, or features/<name> for a feature. */
function folderOf(file: string): string | null {
  const parts = path.relative(path.join(root, 'src'), file).split(path.sep);
  if (parts.length < 2) return null; // main.tsx, the entry point
  return parts[0] === 'features' ? `features/${parts[1]}` : parts[0]!;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Folder-level import graph of src/, from every relative import, type-only imports included. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const from = folderOf(file);
    if (!from) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const to = folderOf(path.resolve(path.dirname(file), match[1]!));
      if (to && to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('folders of src/', () => {
  it('import each other without a circle', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(5);
    expect(findCycle(graph)).toBeNull();
  });

  it('finds a circle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('every folder of src/ is a declared layer', () => {
    const folders = fs
      .readdirSync(path.join(root, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual(Object.keys(LAYERS).sort());
  });
});
