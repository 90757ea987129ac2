/**
 * What the parts of one run share (scheduling, serving from the store, dispatch, recording): the pipeline, store,
 * records and executor, the run's cancellation, and how it stops — on the first failure unless it keeps going, or
 * when a newer run supersedes it.
 */
import type { Executor } from './executor.js';
import type { Pipeline } from './pipeline.js';
import type { RunRecords } from './run-records.js';
import type { RunEvent, RunOptions } from './run-types.js';
import type { Store } from './store.js';

export interface RunContext {
  readonly pipeline: Pipeline;
  readonly store: Store;
  readonly records: RunRecords;
  readonly executor: Executor;
  readonly opts: RunOptions;
  readonly runId: string;
  readonly emit: (e: RunEvent) => void;
  /** Aborted when the run starts nothing more: cancelled from outside, or a node failed without --keep-going. */
  readonly abort: AbortController;
  /** Attempts in flight: each one's own cancellation, its key, and whether it started (what a supersede keeps). */
  readonly running: Map<AbortController, { key: string; started: boolean }>;
  /** The first node that failed, and whether a newer run superseded this one. */
  readonly stop: { firstFailure: string | undefined; superseded: boolean };
}

/** A node failed: remembered as the first failure, and the run stops starting work unless it keeps going. */
export function failRun(ctx: RunContext, id: string): void {
  ctx.stop.firstFailure ??= id;
  if (!ctx.opts.keepGoing) ctx.abort.abort(new Error(`${id} failed`));
}

/** Why a node of this run was not run or was stopped. */
export function cancelText(ctx: RunContext): string {
  return ctx.stop.firstFailure !== undefined
    ? `cancelled: '${ctx.stop.firstFailure}' failed`
    : ctx.stop.superseded
      ? 'cancelled: superseded by a newer run'
      : ctx.abort.signal.reason instanceof Error && ctx.abort.signal.reason.message === 'interrupted'
        ? 'cancelled: interrupted'
        : 'cancelled';
}
