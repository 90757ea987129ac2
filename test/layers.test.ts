/**
 * The layering the code promises (README "Layout"): the engine knows nothing of the node library, the neural core or
 * the CLI; the neural core knows nothing of the engine, the nodes or the CLI; a task folder (each folder the task
 * registries src/nodes/tasks.ts and rl-tasks.ts import) never imports another task's folder; and the folders of
 * src/nodes import each other without cycles. Imports are read from the sources, type-only ones included: a type is
 * a dependency too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/**
 * Every relative specifier a source imports or re-exports (static, side-effect, dynamic and, unless `values`, type-only).
 */
export function importSpecifiers(source: string, values = false): string[] {
  const re = /\b(?:import|export)\b(\s+type\b)?\s*(?:[\w*{}\s,$]*?\bfrom\s*|\(\s*)?(['"])(\.{1,2}\/[^'"]+)\2/g;
  return [...source.matchAll(re)].filter((m) => !values || m[1] === undefined).map((m) => m[3] as string);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** [importing file, imported file] pairs, paths relative to src/ with '/' separators. */
function importEdges(): [string, string][] {
  const rel = (p: string) => relative(SRC, p).split(sep).join('/');
  return sourceFiles(SRC).flatMap((file) =>
    importSpecifiers(readFileSync(file, 'utf8')).map((spec): [string, string] => [rel(file), rel(resolve(dirname(file), spec)).replace(/\.js$/, '.ts')]),
  );
}

const EDGES = importEdges();

/** Imports from files under `from` of files under any of `to`, as 'a -> b' lines. */
function crossing(from: string, to: readonly string[]): string[] {
  return EDGES.filter(([a, b]) => a.startsWith(from) && to.some((t) => b.startsWith(t))).map(([a, b]) => `${a} -> ${b}`);
}

/**
 * The unit of the src/nodes folder graph a file belongs to: its folder (`eval`), or the file itself for a file
 * directly in src/nodes (`tasks.ts`, `params.ts`): those are shared leaves or composition roots, not a folder.
 */
function nodesUnit(path: string): string | undefined {
  if (!path.startsWith('nodes/')) return undefined;
  return path.slice('nodes/'.length).split('/')[0];
}

/** The folder-level import graph of src/nodes, each edge with one file import that makes it. */
function nodesGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const [a, b] of EDGES) {
    const ua = nodesUnit(a);
    const ub = nodesUnit(b);
    if (ua === undefined || ub === undefined || ua === ub) continue;
    const out = graph.get(ua) ?? new Map<string, string>();
    if (!out.has(ub)) out.set(ub, `${a} -> ${b}`);
    graph.set(ua, out);
  }
  return graph;
}

/** One cycle of `graph` per strongly connected component with more than one unit (Tarjan), each as its edges. */
export function cycles(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) components.push(comp);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  // Within a component every unit reaches every other: walk from its first unit back to itself (BFS, shortest).
  return components.map((comp) => {
    const members = new Set(comp);
    const start = [...comp].sort()[0] as string;
    const prev = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift() as string;
      for (const w of graph.get(v)?.keys() ?? []) {
        if (!members.has(w) || prev.has(w)) continue;
        prev.set(w, v);
        if (w === start) queue.length = 0;
        else queue.push(w);
      }
    }
    const path: string[] = [];
    let v = start;
    do {
      const u = prev.get(v) as string;
      path.unshift(graph.get(u)?.get(v) as string);
      v = u;
    } while (v !== start);
    return path;
  });
}

/** The task folders: those the task registries (src/nodes/tasks.ts, src/nodes/rl-tasks.ts) import values from. */
function taskFolders(): string[] {
  const folders = ['tasks.ts', 'rl-tasks.ts'].flatMap((name) => {
    const registry = join(SRC, 'nodes', name);
    return importSpecifiers(readFileSync(registry, 'utf8'), true).map((spec) => nodesUnit(`nodes/${relative(join(SRC, 'nodes'), resolve(dirname(registry), spec))}`));
  });
  return [...new Set(folders)].filter((u): u is string => u !== undefined && !u.endsWith('.ts'));
}

describe('layers', () => {
  it('reads every kind of import, type-only ones included', () => {
    const source = `import type { A } from './a.js';
import { b,
  c } from "../b.js";
import './side.js';
export * from './d.js';
export type { E } from './e.js';
const m = await import('./dyn.js');
import x from 'yaml';`;
    expect(importSpecifiers(source)).toEqual(['./a.js', '../b.js', './side.js', './d.js', './e.js', './dyn.js']);
    expect(importSpecifiers(source, true)).toEqual(['../b.js', './side.js', './d.js', './dyn.js']);
  });

  it('finds a cycle and names the imports that make it', () => {
    const g = new Map([
      ['a', new Map([['b', 'a/x.ts -> b/y.ts']])],
      ['b', new Map([['c', 'b/y.ts -> c/z.ts']])],
      ['c', new Map([['a', 'c/z.ts -> a/x.ts']])],
      ['d', new Map([['a', 'd/w.ts -> a/x.ts']])],
    ]);
    expect(cycles(g)).toEqual([['a/x.ts -> b/y.ts', 'b/y.ts -> c/z.ts', 'c/z.ts -> a/x.ts']]);
    expect(cycles(new Map([['a', new Map([['b', '']])]]))).toEqual([]);
  });

  it('src/engine imports nothing from src/nodes, src/nn or src/cli', () => {
    expect(crossing('engine/', ['nodes/', 'nn/', 'cli/'])).toEqual([]);
  });

  it('src/nn imports nothing from src/engine, src/nodes or src/cli', () => {
    expect(crossing('nn/', ['engine/', 'nodes/', 'cli/'])).toEqual([]);
  });

  it('no task folder imports another task folder', () => {
    const tasks = taskFolders();
    expect(tasks).toEqual(expect.arrayContaining(['sokoban', 'gp']));
    const bad = tasks.flatMap((t) => crossing(`nodes/${t}/`, tasks.filter((o) => o !== t).map((o) => `nodes/${o}/`)));
    expect(bad).toEqual([]);
  });

  it('the folders of src/nodes import each other without cycles', () => {
    expect(cycles(nodesGraph())).toEqual([]);
  });
});
