/**
 * The Redis executor: every ready node becomes a BullMQ job on the queue of its resource shape; `pipe worker`s on any
 * machine that mounts the store take the jobs that fit their free slots, run them with the node runner, and report
 * through the attempt channel in the store. A worker that dies mid-node stops renewing its job's lock; BullMQ's
 * stalled-job check puts the job back and another worker retries it (the dead attempt published nothing, and the
 * key's heartbeat lock is broken with the dead holder's scratch directory). A worker that stops (SIGTERM, Ctrl-C) hands
 * its job straight back, and the next attempt reports on the same channel.
 *
 * Redis unreachable: one notice, attempts keep being followed through the store meanwhile, and after
 * PIPE_REDIS_RETRY_S (default 60 s) of silence the nodes still waiting or running fail with that reason. Redis back
 * but without the jobs (restarted without persistence): each lost job is enqueued again under its id, with one line
 * saying so, unless the store has its result meanwhile (follow.ts); a worker still running the node finishes it,
 * and the key's lock in the store keeps the new attempt from running it a second time at once.
 *
 * No live worker that can take a waiting node's jobs (all killed, none started, none with a GPU) for one queue lock
 * time (queueLockMs, PIPE_QUEUE_LEASE_S) after the last one's heartbeat ran out: one line saying so, and the run keeps
 * waiting for one — or, with a worker timeout (`--worker-timeout`), fails those nodes once none has served them for
 * that long, and takes their jobs off the queue.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AttemptOutcome, Executor, NodeTask } from '../executor.js';
import { cancelKey, liveWorkers, PREFIX, queueLockMs, queueName, serves, SHAPES_KEY, shapeName } from '../queue.js';
import type { Shape } from '../queue.js';
import { redisLink } from '../redis-link.js';
import type { RedisLink } from '../redis-link.js';
import { specOf } from '../remote-task.js';
import type { Store } from '../store.js';
import { followRemote } from './follow.js';

/** How many times a job is retried after its worker stopped or died (BullMQ attempts and stalled counts). */
const WORKER_LOSSES = 3;

export interface RedisExecutorOptions {
  /** One line for the user: Redis lost, back, or given up on. */
  readonly notice: (line: string) => void;
  /**
   * Fail a node instead of waiting once no live worker could take its job for this long (`--worker-timeout`);
   * undefined waits for one indefinitely.
   */
  readonly workerTimeoutMs?: number;
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
  const unserved = noWorkerWatch(redis, link, opts.notice, opts.workerTimeoutMs);
  return {
    name: 'redis',
    run: (task, events, signal) =>
      followRemote(store, task, events, signal, async (id) => {
        const queue = queueOf(task);
        const shape: Shape = { cpu: task.inst.resources.cpu, gpu: task.inst.resources.gpu };
        const spec = specOf(task, store.location, id);
        const enqueue = async (): Promise<string | undefined> => {
          try {
            await link.guard(redis.sadd(SHAPES_KEY, shapeName(shape)));
            await link.guard(queue.add(task.inst.id, spec, { jobId: id, priority: bullPriority(task.inst.priority), attempts: WORKER_LOSSES, removeOnComplete: true, removeOnFail: { age: 24 * 3600 } }));
            return undefined;
          } catch (e) {
            return link.lost.aborted ? lostOutcome().message : `cannot enqueue on ${url}: ${(e as Error).message}`;
          }
        };
        const refused = await enqueue();
        if (refused !== undefined) return { failed: { status: 'failed', message: refused, logTail: [], engine: true } };
        let enqueued = 1;
        const tellWorker = (): Promise<unknown> => link.guard(redis.set(cancelKey(id), '1', 'EX', 3600));
        return {
          // Waiting: take it off the queue. Running: tell its worker (it polls the cancel key).
          cancel: () => void link.guard(queue.remove(id)).then((n) => (n === 1 ? undefined : tellWorker())).catch(() => {}),
          vanished: async (why, inStore) => {
            const lost = `${task.inst.id}: ${why} (Redis restarted without persistence?)`;
            if (inStore) {
              opts.notice(`${lost}; its result is in the store`);
              return undefined;
            }
            if (enqueued > WORKER_LOSSES) return `${why} after being enqueued ${enqueued} times; giving up`;
            const again = await enqueue();
            if (again !== undefined) return again;
            enqueued++;
            opts.notice(`${lost}; enqueued it again`);
            return undefined;
          },
          // A job enqueued again may outlive the attempt that reported (a worker that kept running the node).
          end: () => {
            if (enqueued === 1 || link.lost.aborted) return;
            void link
              .guard(queue.remove(id))
              .then(async (n) => (n === 1 ? undefined : (await link.guard(queue.getJobState(id))) === 'active' ? tellWorker() : undefined))
              .catch(() => {});
          },
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
            if (state === 'unknown') return { vanished: `queue job ${id} is no longer in Redis` };
            if (state === 'completed') return `queue job ${id} ended without reporting an outcome`;
            const unservedFor = await unserved(shape);
            if (unservedFor === undefined) return undefined;
            // Given up: a worker that starts later must not take the job of a node this run already failed.
            await link.guard(queue.remove(id)).catch(() => {});
            return unservedFor;
          },
        };
      }).catch((e: unknown) => (link.lost.aborted ? lostOutcome() : Promise.reject(e))),
    async close() {
      await Promise.race([Promise.allSettled([...queues.values()].map((q) => q.close())), sleep(3000)]);
      link.close();
    },
  };
}

/**
 * Says once per resource shape when no live worker can take its jobs (PIPE_QUEUE_LEASE_S after the last heartbeat
 * ran out, or after the first job when none ever came), and again after one came back and went. With `giveUpMs`,
 * resolves with a failure message for the attempts of a shape no live worker has served for that long. Called by
 * the attempts still waiting or running, about once a second each; asks Redis at most once a second.
 */
function noWorkerWatch(redis: Redis, link: RedisLink, notice: (line: string) => void, giveUpMs: number | undefined): (shape: Shape) => Promise<string | undefined> {
  const { url } = link;
  const waitMs = queueLockMs();
  const since = new Map<string, number>();
  const told = new Set<string>();
  let workers: { at: number; slots: Promise<Shape[]> } | undefined;
  return async (shape) => {
    if (workers === undefined || performance.now() - workers.at > 1000) workers = { at: performance.now(), slots: link.guard(liveWorkers(redis)) };
    const slots = await workers.slots.catch(() => undefined);
    if (slots === undefined) return undefined;
    const name = shapeName(shape);
    if (slots.some((w) => serves(w, shape))) {
      since.delete(name);
      told.delete(name);
      return undefined;
    }
    const t = since.get(name) ?? performance.now();
    since.set(name, t);
    const waited = performance.now() - t;
    const gpu = shape.gpu > 0;
    const none = `no pipe worker${gpu ? ' with a GPU' : ''} has been serving ${url} for ${Math.round(waited / 1000)} s`;
    const start = `pipe worker --redis ${url}${gpu ? ' --gpus N' : ''}`;
    if (giveUpMs !== undefined && waited >= giveUpMs) return `${none} (--worker-timeout ${giveUpMs / 1000}); start one with: ${start}`;
    if (waited < waitMs || told.has(name)) return undefined;
    told.add(name);
    const until = giveUpMs !== undefined ? `giving up after ${giveUpMs / 1000} s (--worker-timeout)` : 'still waiting for one';
    notice(`${none}; ${until} (start it with: ${start})`);
    return undefined;
  };
}

/**
 * A node's priority (-100..100, higher first) as BullMQ's (1..2,097,152, lower first). Every job gets one: BullMQ
 * serves jobs without a priority before all prioritized ones, so leaving the default unset would invert the order.
 */
export function bullPriority(priority = 0): number {
  return 101 - priority;
}
