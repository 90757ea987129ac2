/**
 * The Redis executor: every ready node becomes a BullMQ job on the queue of its resource shape; `pipe worker`s on any
 * machine that mounts the store take the jobs that fit their free slots, run them with the node runner, and report
 * through the attempt channel in the store. A worker that dies mid-node stops renewing its job's lock; BullMQ's
 * stalled-job check puts the job back and another worker retries it (the dead attempt published nothing, and the
 * key's heartbeat lock is broken with the dead holder's scratch directory). A worker that stops (SIGTERM, Ctrl-C) hands
 * its job straight back, and the next attempt reports on the same channel.
 *
 * Redis unreachable: one notice, attempts keep being followed through the store meanwhile, and after
 * PIPE_REDIS_RETRY_S (default 60 s) of silence the nodes still waiting or running fail with that reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { AttemptOutcome, Executor, NodeTask } from '../executor.js';
import { cancelKey, PREFIX, queueName, SHAPES_KEY, shapeName } from '../queue.js';
import { redisLink } from '../redis-link.js';
import { specOf } from '../remote-task.js';
import type { Store } from '../store.js';
import { followRemote } from './follow.js';

/** How many times a job is retried after its worker stopped or died (BullMQ attempts and stalled counts). */
const WORKER_LOSSES = 3;

export interface RedisExecutorOptions {
  /** One line for the user: Redis lost, back, or given up on. */
  readonly notice: (line: string) => void;
}

/** An executor that hands nodes to the worker pool behind `url`. Check the URL first (queue.ts `checkRedis`). */
export function redisExecutor(store: Store, url: string, opts: RedisExecutorOptions): Executor {
  const link = redisLink(url, { notice: opts.notice });
  const redis = link.connect();
  const queues = new Map<string, Queue>();
  const queueOf = (task: NodeTask): Queue => {
    const shape = { cpu: task.inst.resources.cpu, gpu: task.inst.resources.gpu };
    const name = queueName(shape);
    let q = queues.get(name);
    if (q === undefined) {
      q = new Queue(name, { connection: redis, prefix: PREFIX });
      q.on('error', link.onError);
      queues.set(name, q);
    }
    return q;
  };
  const lostOutcome = (): Extract<AttemptOutcome, { status: 'failed' }> => ({ status: 'failed', message: (link.lost.reason as Error).message, logTail: [], engine: true });
  return {
    name: 'redis',
    run: (task, events, signal) =>
      followRemote(store, task, events, signal, async (id) => {
        const queue = queueOf(task);
        try {
          await link.guard(redis.sadd(SHAPES_KEY, shapeName(task.inst.resources)));
          await link.guard(
            queue.add(task.inst.id, specOf(task, store.location, id), {
              jobId: id,
              attempts: WORKER_LOSSES,
              removeOnComplete: true,
              removeOnFail: { age: 24 * 3600 },
            }),
          );
        } catch (e) {
          return { failed: link.lost.aborted ? lostOutcome() : { status: 'failed', message: `cannot enqueue on ${url}: ${(e as Error).message}`, logTail: [], engine: true } };
        }
        const tellWorker = (): Promise<unknown> => link.guard(redis.set(cancelKey(id), '1', 'EX', 3600));
        return {
          // Waiting: take it off the queue. Running: tell its worker (it polls the cancel key).
          cancel: () => void link.guard(queue.remove(id)).then((n) => (n === 1 ? undefined : tellWorker())).catch(() => {}),
          gone: async () => {
            if (link.lost.aborted) return lostOutcome().message;
            if (!link.up()) return signal.aborted ? 'cancelled' : undefined; // the store channel is still followed
            const state = await link.guard(queue.getJobState(id));
            if (signal.aborted) {
              if (state === 'unknown' || state === 'failed' || state === 'completed') return 'cancelled';
              await tellWorker();
              return undefined;
            }
            if (state === 'failed') {
              const failed = await link.guard(queue.getJob(id));
              return `queue job ${id} failed: ${failed?.failedReason ?? 'unknown reason'} (worker lost ${WORKER_LOSSES} times?)`;
            }
            if (state === 'unknown' || state === 'completed') return `queue job ${id} ended without reporting an outcome`;
            return undefined;
          },
        };
      }).catch((e: unknown) => (link.lost.aborted ? lostOutcome() : Promise.reject(e))),
    async close() {
      await Promise.race([Promise.allSettled([...queues.values()].map((q) => q.close())), sleep(3000)]);
      link.close();
    },
  };
}
