/**
 * Dispatch: hands one task to the run's executor, forwards what the attempt reports (start, progress, log, waiting
 * on another holder of the key) and turns its outcome into the node's result. An input that failed verification
 * comes back as `corrupt` for the scheduler to recover from (schedule.ts).
 */
import type { NodeTask } from './executor.js';
import { type Clock, recordResult, recordStart, type Where } from './node-outcome.js';
import { cancelText, failRun, type RunContext } from './run-context.js';
import type { NodeResult } from './run-types.js';
import { CorruptObject } from './store.js';

/** An input of the task failed verification: which, and the problem (to quarantine and recompute). */
export interface CorruptInput {
  readonly corrupt: { readonly input: string; readonly problem: CorruptObject };
}

/** Runs `task` on the executor; `remember` records its key as the node's last once it has a result. */
export async function dispatch(ctx: RunContext, task: NodeTask, clock: Clock, remember: (lastKey?: string) => void): Promise<NodeResult | CorruptInput> {
  const { inst, key, reasonType, reason } = task;
  const { abort, executor, records, emit } = ctx;
  const done = (r: Omit<NodeResult, 'seconds' | 'id'>, seconds?: number, where?: Where): NodeResult => recordResult(ctx, inst, clock, r, seconds, where);
  // This node's own cancellation: the whole run's, or a supersede that does not keep its key.
  const nodeAbort = new AbortController();
  const onRunAbort = (): void => nodeAbort.abort(abort.signal.reason);
  if (abort.signal.aborted) onRunAbort();
  abort.signal.addEventListener('abort', onRunAbort, { once: true });
  const tracked = { key, started: false };
  ctx.running.set(nodeAbort, tracked);
  let started: { worker: string; queueWaitS: number; t: number } | undefined;
  try {
    const outcome = await executor.run(
      task,
      {
        start: (s) => {
          tracked.started = true;
          started = { worker: s.worker, queueWaitS: s.queueWaitS, t: performance.now() };
          clock.startedAt = s.startedAt;
          recordStart(ctx, task, s);
        },
        progress: (update) => emit({ type: 'node-progress', id: inst.id, update }),
        log: (line) => emit({ type: 'node-log', id: inst.id, line }),
        waiting: (holder) => emit({ type: 'node-waiting', id: inst.id, pid: Number(holder.slice(holder.lastIndexOf(':') + 1)), holder, key }),
      },
      nodeAbort.signal,
    );
    const where = started !== undefined ? { executor: executor.name, worker: started.worker, queueWaitS: started.queueWaitS } : {};
    const elapsed = started !== undefined ? (performance.now() - started.t) / 1000 : 0;
    const cancelled = (): NodeResult => done({ status: 'skipped', reasonType: 'cancelled', reason: cancelText(ctx), key, failure: { type: 'aborted', message: cancelText(ctx) } }, elapsed, where);
    switch (outcome.status) {
      case 'ran':
        for (const w of outcome.warnings ?? []) records.warn(w);
        records.bestEffort(() => remember());
        return done({ status: 'ran', reasonType, reason, key, outputs: outcome.outputs }, outcome.seconds, { ...where, worker: outcome.worker });
      case 'cached':
        remember();
        return done({ status: 'cached', reasonType: 'cached', reason: 'cache hit (computed by a concurrent run)', key, outputs: outcome.outputs });
      case 'corrupt':
        if (nodeAbort.signal.aborted) return cancelled();
        return { corrupt: { input: outcome.input, problem: new CorruptObject(outcome.artifact, outcome.object, outcome.problem) } };
      case 'cancelled':
        return cancelled();
      case 'failed': {
        if (nodeAbort.signal.aborted || ctx.stop.superseded) return cancelled();
        failRun(ctx, inst.id);
        const failure = { type: 'node-failed' as const, message: outcome.message, logTail: outcome.logTail };
        return done({ status: 'failed', reasonType: 'failed', reason: outcome.message, key, failure }, elapsed, { ...where, ...(outcome.worker ? { worker: outcome.worker } : {}) });
      }
    }
  } finally {
    ctx.running.delete(nodeAbort);
    abort.signal.removeEventListener('abort', onRunAbort);
  }
}
