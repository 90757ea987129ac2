/**
 * Serving a node without executing it: from the store (its key's entry with every output present), or from another
 * instance of this run with the same key (one execution, shared). Either way the key becomes the node's last one.
 */
import type { KeyComponents } from './key.js';
import { reasonText, type Verdict } from './classify.js';
import type { NodeInstance } from './pipeline.js';
import type { RunContext } from './run-context.js';
import type { NodeResult } from './run-types.js';

/** Records a node's result (node-outcome.ts `recordResult`, bound to the node). */
export type Done = (r: Omit<NodeResult, 'seconds' | 'id'>) => NodeResult;

/**
 * Records `key` as the node's last one. On a cache hit the classifier has just read the last key (passed: no second
 * read); after an execution it is read again, as a concurrent run may have recorded another key meanwhile.
 */
export function rememberKey(ctx: RunContext, inst: NodeInstance, key: string, components: KeyComponents): (lastKey?: string) => void {
  const { store, pipeline } = ctx;
  return (lastKey: string | undefined = store.readLast(pipeline.name, inst.id)?.key): void => {
    if (lastKey !== key) store.writeLast({ pipeline: pipeline.name, nodeId: inst.id, key, components, time: new Date().toISOString() });
  };
}

/** The node's result from the store, when the classifier found its key's entry complete there. */
export function serveCached(verdict: Verdict, key: string, remember: (lastKey?: string) => void, done: Done): NodeResult | undefined {
  if (verdict.status !== 'cached' || verdict.entry === undefined) return undefined;
  remember(verdict.lastKey);
  return done({ status: 'cached', reasonType: 'cached', reason: reasonText('cached', []), key, outputs: verdict.entry.outputs });
}

/** The node's result from `other`, the instance of this run that executed the same key (`sharedId`). */
export function serveShared(other: NodeResult, sharedId: string, key: string, remember: (lastKey?: string) => void, done: Done): NodeResult {
  if (other.outputs !== undefined) {
    remember();
    return done({ status: 'cached', reasonType: 'shared', reason: `same key as ${sharedId}`, key, outputs: other.outputs });
  }
  const which = other.status === 'failed' ? 'failed' : 'did not run';
  return done({ status: 'skipped', reasonType: 'upstream', reason: `'${sharedId}' (same key) ${which}`, key });
}
