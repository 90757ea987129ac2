/**
 * Running a pipeline: registers the run on the store, makes its executor (executor.ts: this machine's slots by
 * default, or a SLURM cluster, or a queue of workers), lets the scheduler (schedule.ts) serve what the store has and
 * dispatch the rest, and records the run's end. Stops or keeps going on failure; a caller may supersede it (watch).
 * Early cutoff falls out of content addressing: a rerun with identical bytes gives dependents identical keys.
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { localExecutor } from './executors/local.js';
import type { Pipeline } from './pipeline.js';
import type { RunContext } from './run-context.js';
import { RunRecords } from './run-records.js';
import type { NodeResult, RunOptions, RunSummary } from './run-types.js';
import { Scheduler } from './schedule.js';
import { openStore } from './store.js';
import type { Store } from './store.js';

export type { ExecutorFactory, NodeResult, NodeStatus, RunControl, RunEvent, RunFailure, RunOptions, RunSummary } from './run-types.js';

/** Runs a validated pipeline against its store. Never throws for node failures (they are results). */
export async function runPipeline(pipeline: Pipeline, opts: RunOptions = {}): Promise<RunSummary> {
  const store: Store = openStore(pipeline.store);
  store.init();
  const records = new RunRecords(store, pipeline);
  const runId = records.runId;
  await records.begin(opts.signal);

  const abort = new AbortController();
  // Every node in flight or waiting for a slot listens for the run's cancellation: a wide pipeline has hundreds,
  // by design, so Node's leak warning (at 11 listeners) would be a false alarm printed mid-run.
  setMaxListeners(0, abort.signal);
  const onOuterAbort = (): void => abort.abort(opts.signal?.reason ?? new Error('cancelled'));
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const capacity = { cpu: Math.max(1, opts.jobs ?? availableParallelism()), gpu: Math.max(0, opts.gpus ?? 1) };
  const emit = opts.onEvent ?? (() => {});
  const stop: RunContext['stop'] = { firstFailure: undefined, superseded: false };
  const running: RunContext['running'] = new Map();
  opts.onControl?.({
    supersede(keep) {
      stop.superseded = true;
      for (const [controller, r] of running) {
        if (!r.started || !keep.has(r.key)) controller.abort(new Error('superseded'));
      }
    },
  });
  const beforeStart = (): void => {
    if (stop.superseded) throw new Error('superseded');
  };
  const factory = opts.executor ?? ((ctx) => localExecutor(ctx.store, { capacity: ctx.capacity, ...(ctx.logTail !== undefined ? { logTail: ctx.logTail } : {}), beforeStart: ctx.beforeStart }));
  const executor = await factory({ store, capacity, ...(opts.logTail !== undefined ? { logTail: opts.logTail } : {}), beforeStart });
  const scheduler = new Scheduler({ pipeline, store, records, executor, opts, runId, emit, abort, running, stop });

  const selected = pipeline.instances.filter((i) => opts.only === undefined || opts.only.has(i.id));
  let nodes: NodeResult[];
  try {
    nodes = await scheduler.runAll(selected);
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    await executor.close();
  }
  const ok = nodes.every((n) => n.status === 'ran' || n.status === 'cached');
  records.end(ok ? 'ok' : opts.signal?.aborted ? 'cancelled' : 'failed');
  return { runId, ok, nodes, warnings: records.warnings };
}
