/**
 * Node priorities (a node's `priority:` in the pipeline file). A node's inputs are made before it, so a node inherits
 * the highest priority of anything downstream of it: a high-priority training's data set is never left waiting
 * behind low-priority work. Slots (slots.ts) serve waiting nodes by this priority and hold capacity back for the
 * nodes above 0 that have not started yet.
 */
import { refSources } from './gather.js';
import type { NodeInstance } from './pipeline.js';

/** `instances` (in a topological order) with each priority raised to the highest downstream; absent stays 0. */
export function inheritPriorities(instances: readonly NodeInstance[]): NodeInstance[] {
  const best = new Map<string, number>(instances.map((i) => [i.id, i.priority ?? 0]));
  for (const inst of [...instances].reverse()) {
    const mine = best.get(inst.id) ?? 0;
    for (const ref of Object.values(inst.inputs)) {
      for (const up of refSources(ref)) best.set(up, Math.max(best.get(up) ?? 0, mine));
    }
  }
  return instances.map((i) => {
    const p = best.get(i.id) ?? 0;
    return p === (i.priority ?? 0) ? i : { ...i, priority: p };
  });
}
