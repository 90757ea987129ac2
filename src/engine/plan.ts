/**
 * `plan`: what a run would do, without running or writing anything. A node whose inputs are all cached gets an
 * exact verdict; a node downstream of something that will run is `pending` (early cutoff may still keep it cached),
 * with the changes that are already known (params, code, seed…).
 */
import { cacheKey, classify, componentsOf, reasonText } from './classify.js';
import type { ReasonType } from './classify.js';
import { diffComponents } from './key.js';
import type { Pipeline } from './pipeline.js';
import { openStore } from './store.js';
import type { Artifact, Store } from './store.js';
import { gatherDigest, refSources } from './gather.js';

export interface PlanItem {
  readonly id: string;
  readonly status: 'cached' | 'run' | 'pending';
  readonly reasonType: ReasonType;
  readonly reason: string;
  /** Field-level changes against the last key recorded for this node id. */
  readonly changes: readonly string[];
  readonly key?: string;
}

export interface PlanOptions {
  readonly force?: ReadonlySet<string>;
  readonly only?: ReadonlySet<string>;
}

/** Plans every selected instance in topological order. Reads the store; never writes it. */
export function planPipeline(pipeline: Pipeline, opts: PlanOptions = {}): PlanItem[] {
  const store: Store = openStore(pipeline.store);
  const items = new Map<string, PlanItem & { outputs?: Readonly<Record<string, Artifact>> }>();
  const out: PlanItem[] = [];
  for (const inst of pipeline.instances) {
    if (opts.only !== undefined && !opts.only.has(inst.id)) continue;
    const digests: Record<string, string> = {};
    const waiting: string[] = [];
    for (const [name, ref] of Object.entries(inst.inputs)) {
      const parts: { label: string; artifact: Artifact }[] = [];
      for (const [i, source] of refSources(ref).entries()) {
        const art = items.get(source)?.outputs?.[ref.output];
        if (art === undefined) waiting.push(source);
        else parts.push({ label: ref.gather?.[i]?.label ?? source, artifact: art });
      }
      if (parts.length !== refSources(ref).length) continue;
      digests[name] = ref.gather !== undefined ? gatherDigest(parts, (d) => store.readManifest(d)).digest : (parts[0] as { artifact: Artifact }).artifact.digest;
    }
    const components = componentsOf(inst, digests);
    let item: PlanItem & { outputs?: Readonly<Record<string, Artifact>> };
    if (waiting.length > 0) {
      const last = store.readLast(pipeline.name, inst.id);
      const known = last === undefined ? [] : diffComponents(last.components, components).filter((l) => !l.startsWith('input '));
      const ups = [...new Set(waiting)];
      const changes = [...known, ...ups.map((u) => `input from ${u}: will be recomputed`)];
      item = {
        id: inst.id,
        status: opts.force?.has(inst.id) ? 'run' : 'pending',
        reasonType: opts.force?.has(inst.id) ? 'forced' : 'upstream',
        reason: opts.force?.has(inst.id)
          ? 'forced (--force)'
          : `waits for ${ups.join(', ')}; reruns only if ${ups.length > 1 ? 'their outputs change' : 'its output changes'}${known.length > 0 ? ' or: ' + known.join('; ') : ''}`,
        changes,
      };
    } else {
      const key = cacheKey(components);
      const v = classify(store, pipeline.name, inst, key, components, opts.force?.has(inst.id) ?? false);
      item = {
        id: inst.id,
        status: v.status,
        reasonType: v.reason,
        reason: reasonText(v.reason, v.changes),
        changes: v.changes,
        key,
        ...(v.entry !== undefined ? { outputs: v.entry.outputs } : {}),
      };
    }
    items.set(inst.id, item);
    const { outputs: _o, ...visible } = item;
    out.push(visible);
  }
  return out;
}
