/**
 * Recording a node's outcome: its `node_runs` row (the 'running' row when it starts executing, the final one when it
 * ends) and the matching event for the caller (node-start, node-done).
 */
import type { NodeTask } from './executor.js';
import type { NodeInstance } from './pipeline.js';
import type { RunContext } from './run-context.js';
import type { NodeResult } from './run-types.js';

/** Where a node executed (absent for nodes served from the store). */
export interface Where {
  readonly executor?: string;
  readonly worker?: string;
  readonly queueWaitS?: number;
}

/** When the node itself started: when its inputs were ready, then when it started executing. */
export interface Clock {
  startedAt: string;
}

/** A node's result, recorded and announced. */
export function recordResult(ctx: RunContext, inst: NodeInstance, clock: Clock, r: Omit<NodeResult, 'seconds' | 'id'>, seconds = 0, where: Where = {}): NodeResult {
  const result: NodeResult = { id: inst.id, seconds: Math.round(seconds * 1000) / 1000, ...r };
  ctx.records.node(inst, {
    status: result.status,
    reasonType: result.reasonType,
    reason: result.reason,
    key: result.key ?? null,
    seconds: result.seconds,
    startedAt: clock.startedAt,
    error: result.failure?.type === 'node-failed' ? result.failure.message : null,
    executor: where.executor ?? null,
    worker: where.worker ?? null,
    queueWaitS: where.queueWaitS ?? null,
  });
  ctx.emit({ type: 'node-done', result });
  return result;
}

/** A node started executing (on `worker`), announced and recorded as 'running'. */
export function recordStart(ctx: RunContext, task: NodeTask, s: { readonly worker: string; readonly queueWaitS: number; readonly startedAt: string }): void {
  const { inst, key, reasonType, reason } = task;
  ctx.emit({ type: 'node-start', id: inst.id, reason });
  ctx.records.node(inst, { status: 'running', reasonType, reason, key, seconds: null, startedAt: s.startedAt, executor: ctx.executor.name, worker: s.worker, queueWaitS: s.queueWaitS });
}
