/**
 * What an instance's results depend on besides its own params, in a form people compare by: the `--set` overrides
 * applied to it or to any node upstream of it (so an evaluation downstream of `--set train.lr=0.01` carries
 * `train.lr`), and — for kinds that describe a whole pipeline (`wantsPipeline`, e.g. a report) — the pipeline's
 * file, overrides, commit and the params of every instance upstream. Pure except `gitCommit`.
 */
import { execFileSync } from 'node:child_process';
import { isAbsolute, relative } from 'node:path';
import { refSources } from './gather.js';
import type { PipelineContext } from './node-kind.js';
import type { NodeInstance } from './pipeline.js';

/** One applied `--set`: node id, dotted param path, parsed value, and the text as typed. */
export interface AppliedOverride {
  readonly node: string;
  readonly path: string;
  readonly value: unknown;
  readonly text: string;
}

/** A pipeline file as a command line names it: relative to the working directory when inside it, else absolute. */
export function pipelineFileLabel(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** The commit checked out where `dir` lives, or null outside a git work tree (or without git). */
export function gitCommit(dir: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() || null;
  } catch {
    return null;
  }
}

/**
 * Instances (topological order) with their inherited overrides set, and the pipeline context attached to the params
 * (and key params) of kinds that want it, so a change of file, overrides, commit or upstream params reruns them.
 */
export function attachProvenance(
  instances: readonly NodeInstance[],
  overrides: readonly AppliedOverride[],
  base: { readonly file: string; readonly name: string; readonly commit: () => string | null },
): NodeInstance[] {
  const byId = new Map<string, NodeInstance>();
  const out: NodeInstance[] = [];
  let commit: string | null | undefined;
  for (const inst of instances) {
    const inherited: Record<string, unknown> = {};
    for (const ref of Object.values(inst.inputs)) {
      for (const src of refSources(ref)) Object.assign(inherited, byId.get(src)?.overrides ?? {});
    }
    for (const o of overrides) if (o.node === inst.baseId) inherited[`${o.node}.${o.path}`] = o.value;
    let next: NodeInstance = { ...inst, overrides: sortKeys(inherited) };
    if (inst.kind.wantsPipeline === true) {
      commit ??= base.commit();
      const context: PipelineContext = {
        file: base.file,
        name: base.name,
        overrides: overrides.map((o) => o.text),
        commit,
        instances: ancestors(inst, byId).map((a) => ({ id: a.id, kind: a.kind.kind, params: a.keyParams, binding: a.binding })),
      };
      next = { ...next, params: { ...inst.params, $pipeline: context }, keyParams: { ...inst.keyParams, $pipeline: context } };
    }
    byId.set(inst.id, next);
    out.push(next);
  }
  return out;
}

/** Every instance upstream of `inst`, in topological (first-reached, then sorted) order. */
function ancestors(inst: NodeInstance, byId: ReadonlyMap<string, NodeInstance>): NodeInstance[] {
  const seen = new Set<string>();
  const stack = Object.values(inst.inputs).flatMap(refSources);
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...Object.values(byId.get(id)?.inputs ?? {}).flatMap(refSources));
  }
  return [...byId.values()].filter((i) => seen.has(i.id));
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
