/**
 * The local executor: runs node attempts in this process (or in child processes of it, for isolated kinds), bounded
 * by this machine's resource slots. What `pipe run` always did.
 */
import { hostname } from 'node:os';
import type { AttemptEvents, AttemptOutcome, Executor, NodeTask } from '../executor.js';
import { runNodeTask } from '../node-runner.js';
import { Slots } from '../slots.js';
import type { Capacity } from '../slots.js';
import type { Store } from '../store.js';

export interface LocalExecutorOptions {
  readonly capacity: Capacity;
  readonly logTail?: number;
  /** Checked once the key's lock is held, just before the node starts; throwing stops it (a superseded run). */
  readonly beforeStart?: (task: NodeTask) => void;
}

/** An executor on this machine's slots. */
export function localExecutor(store: Store, opts: LocalExecutorOptions): Executor {
  const slots = new Slots(opts.capacity);
  const worker = `${hostname()}:${process.pid}`;
  return {
    name: 'local',
    async run(task: NodeTask, events: AttemptEvents, signal: AbortSignal): Promise<AttemptOutcome> {
      const req = slots.fit(task.inst.resources);
      const queued = performance.now();
      try {
        await slots.acquire(req, signal, task.inst.priority, task.inst.id);
      } catch {
        return { status: 'cancelled' };
      }
      try {
        return await runNodeTask(store, task, {
          signal,
          worker,
          ...(opts.logTail !== undefined ? { logTail: opts.logTail } : {}),
          ...(opts.beforeStart ? { beforeStart: () => opts.beforeStart?.(task) } : {}),
          hooks: {
            start: (startedAt) => events.start({ worker, startedAt, queueWaitS: (performance.now() - queued) / 1000 }),
            progress: (u) => events.progress(u),
            log: (l) => events.log(l),
            waiting: (h) => events.waiting(h),
          },
        });
      } finally {
        slots.release(req);
      }
    },
    expect(instances) {
      for (const inst of instances) slots.reserve(inst.id, slots.fit(inst.resources), inst.priority ?? 0);
    },
    settle: (id) => slots.settle(id),
    async close() {},
  };
}
