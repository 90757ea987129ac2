/**
 * Deciding, for one node instance, its key components, its key, and whether the store can serve it — shared by
 * `plan` (which only looks) and the executor (which then runs what is not cached).
 */
import { refLabel } from './gather.js';
import { implementationHash } from './impl-hash.js';
import { cacheKey, diffComponents, pipeVersion } from './key.js';
import type { KeyComponents } from './key.js';
import type { NodeInstance } from './pipeline.js';
import type { CacheEntry, Store } from './store.js';

/** Why a node is (or is not) run. */
export type ReasonType =
  | 'cached'
  | 'new'
  | 'changed'
  | 'forced'
  | 'missing'
  | 'upstream'
  | 'shared'
  | 'failed'
  | 'cancelled';

export interface Verdict {
  readonly status: 'cached' | 'run';
  readonly reason: ReasonType;
  /** Field-level changes against the last key recorded for this node id. */
  readonly changes: readonly string[];
  readonly entry?: CacheEntry;
  /** The last key recorded for this node id (read anyway; lets the executor skip re-reading it). */
  readonly lastKey?: string;
}

const runtimeCache = new WeakMap<NodeInstance, Record<string, string>>();

/** Key components of an instance given its input digests. */
export function componentsOf(inst: NodeInstance, inputDigests: Readonly<Record<string, string>>): KeyComponents {
  let runtime = runtimeCache.get(inst);
  if (runtime === undefined) {
    runtime = { pipe: pipeVersion(), ...(inst.kind.fingerprint?.(inst.params) ?? {}) };
    runtimeCache.set(inst, runtime);
  }
  const inputs: Record<string, { from: string; digest: string }> = {};
  for (const [name, ref] of Object.entries(inst.inputs)) {
    inputs[name] = { from: refLabel(ref), digest: inputDigests[name] ?? '' };
  }
  return {
    kind: inst.kind.kind,
    implementation: implementationHash(inst.kind.module),
    params: inst.keyParams,
    inputs,
    seed: inst.seed,
    runtime,
    outputs: inst.outputs,
  };
}

export { cacheKey };

/** One-line text for a verdict (what `--json` and the progress lines print). */
export function reasonText(reason: ReasonType, changes: readonly string[]): string {
  switch (reason) {
    case 'cached':
      return 'cache hit';
    case 'new':
      return 'no previous run';
    case 'changed':
      return changes.join('; ');
    case 'forced':
      return 'forced (--force)';
    case 'missing':
      return changes.length > 0 ? changes.join('; ') : 'outputs missing from the store';
    case 'upstream':
      return changes.join('; ');
    case 'shared':
      return changes.join('; ');
    case 'failed':
    case 'cancelled':
      return changes.join('; ');
  }
}

/** Cached or must run, and why. Reads only (entry, last key); never writes. */
export function classify(store: Store, pipeline: string, inst: NodeInstance, key: string, components: KeyComponents, forced: boolean): Verdict {
  const last = store.readLast(pipeline, inst.id);
  const seen = last !== undefined ? { lastKey: last.key } : {};
  const changes = last !== undefined && last.key !== key ? diffComponents(last.components, components) : [];
  if (forced) return { status: 'run', reason: 'forced', changes, ...seen };
  const entry = store.readEntry(key);
  if (entry !== undefined && inst.outputs.every((o) => entry.outputs[o] !== undefined && store.hasArtifact(entry.outputs[o]!))) {
    return { status: 'cached', reason: 'cached', changes, entry, ...seen };
  }
  if (entry !== undefined) return { status: 'run', reason: 'missing', changes: ['stored outputs missing (deleted or corrupt); recomputing'], ...seen };
  // An attempt of this very key that failed (noted by the runner), or that left its lock or saved state behind (it
  // was killed before it finished). Only saved state is resumed from; otherwise the node starts over.
  const failure = store.attempts.lastFailure(key);
  const saved = store.attempts.hasResume(key);
  if (failure !== undefined || saved || store.locks.keyHeld(key)) {
    const what = failure !== undefined ? `previous attempt failed: ${failure}` : 'previous attempt did not finish';
    return { status: 'run', reason: 'missing', changes: [`${what}; ${saved ? 'resuming from its saved state' : 'rerunning'}`], ...seen };
  }
  if (last === undefined) return { status: 'run', reason: 'new', changes };
  if (last.key === key) return { status: 'run', reason: 'missing', changes: ['no stored result for the last key (deleted)'], ...seen };
  return { status: 'run', reason: 'changed', changes, ...seen };
}
