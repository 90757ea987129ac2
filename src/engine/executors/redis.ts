/**
 * The Redis executor: every ready node becomes a BullMQ job on the queue of its resource shape; `pipe worker`s on any
 * machine that mounts the store take the jobs that fit their free slots, run them with the node runner, and report
 * through the attempt channel in the store. A worker that dies mid-node stops renewing its job's lock; BullMQ's
 * stalled-job check puts the job back and another worker retries it (the dead attempt published nothing, and the
 * key's lease lock is broken with the dead holder's scratch directory).
 */
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import type { AttemptEvents, AttemptOutcome, Executor, NodeTask } from '../executor.js';
import { cancelKey, connect, PREFIX, queueName, SHAPES_KEY, shapeName } from '../queue.js';
import { specOf } from '../remote-task.js';
import type { Store } from '../store.js';
import { followAttempt } from './follow.js';

/** How many times a job is retried after its worker stopped or died (BullMQ attempts and stalled counts). */
const WORKER_LOSSES = 3;

/** An executor that hands nodes to the worker pool behind `url`. Check the URL first (queue.ts `checkRedis`). */
export function redisExecutor(store: Store, url: string): Executor {
  const redis = connect(url);
  redis.on('error', () => {}); // a lost connection is retried by ioredis; jobs wait meanwhile
  const queues = new Map<string, Queue>();
  const queueOf = (task: NodeTask): Queue => {
    const shape = { cpu: task.inst.resources.cpu, gpu: task.inst.resources.gpu };
    const name = queueName(shape);
    let q = queues.get(name);
    if (q === undefined) {
      q = new Queue(name, { connection: redis, prefix: PREFIX });
      queues.set(name, q);
    }
    return q;
  };
  return {
    name: 'redis',
    async run(task: NodeTask, events: AttemptEvents, signal: AbortSignal): Promise<AttemptOutcome> {
      if (signal.aborted) return { status: 'cancelled' };
      const id = `${task.runId}-${randomUUID().slice(0, 12)}`;
      const channel = store.attempts.jobFile(`${id}.events`);
      writeFileSync(channel, '');
      const queue = queueOf(task);
      await redis.sadd(SHAPES_KEY, shapeName(task.inst.resources));
      const submitted = performance.now();
      const job = await queue.add(task.inst.id, specOf(task, store.location, id), {
        jobId: id,
        attempts: WORKER_LOSSES,
        removeOnComplete: true,
        removeOnFail: { age: 24 * 3600 },
      });
      const onAbort = (): void => {
        // Waiting: take it off the queue. Running: tell its worker (it polls the cancel key).
        void job.remove().catch(() => redis.set(cancelKey(id), '1', 'EX', 3600));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const outcome = await followAttempt({
          channel,
          events,
          submitted,
          gone: async () => {
            if (signal.aborted) {
              const state = await queue.getJobState(id);
              if (state === 'unknown' || state === 'failed' || state === 'completed') return 'cancelled';
              await redis.set(cancelKey(id), '1', 'EX', 3600);
              return undefined;
            }
            const state = await queue.getJobState(id);
            if (state === 'failed') {
              const failed = await queue.getJob(id);
              return `queue job ${id} failed: ${failed?.failedReason ?? 'unknown reason'} (worker lost ${WORKER_LOSSES} times?)`;
            }
            if (state === 'unknown' || state === 'completed') return `queue job ${id} ended without reporting an outcome`;
            return undefined;
          },
        });
        if (signal.aborted && outcome.status !== 'ran' && outcome.status !== 'cached') return { status: 'cancelled' };
        return outcome;
      } finally {
        signal.removeEventListener('abort', onAbort);
        rmSync(channel, { force: true });
      }
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      redis.disconnect();
    },
  };
}
