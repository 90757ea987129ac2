/** `--only` / `--force` selection: node names match an instance id exactly, or every instance of a YAML node id. */
import { refSources } from './gather.js';
import type { NodeInstance, Pipeline } from './pipeline.js';

/** Instance ids matched by `names`, plus the names that matched nothing. */
export function matchInstances(pipeline: Pipeline, names: readonly string[]): { ids: Set<string>; unknown: string[] } {
  const ids = new Set<string>();
  const unknown: string[] = [];
  for (const name of names) {
    const hits = pipeline.instances.filter((i) => i.id === name || i.baseId === name);
    if (hits.length === 0) unknown.push(name);
    for (const h of hits) ids.add(h.id);
  }
  return { ids, unknown };
}

/** The given instances and all their ancestors (what `--only` runs). */
export function withAncestors(pipeline: Pipeline, ids: ReadonlySet<string>): Set<string> {
  const byId = new Map<string, NodeInstance>(pipeline.instances.map((i) => [i.id, i]));
  const out = new Set<string>();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (out.has(id)) continue;
    out.add(id);
    for (const ref of Object.values(byId.get(id)?.inputs ?? {})) stack.push(...refSources(ref));
  }
  return out;
}
