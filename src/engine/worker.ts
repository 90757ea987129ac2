/**
 * `pipe worker`: one machine's share of a Redis (BullMQ) worker pool. It polls the queues whose resource shape fits
 * its free CPU/GPU slots (queue.ts), takes a job only when it can start it, runs it with the node runner against the
 * shared store, and renews the job's lock while it runs. Jobs are fetched manually (BullMQ's getNextJob) because
 * BullMQ's own loop cannot choose jobs by size. Live workers also run BullMQ's stalled-job check, which hands the job
 * of a dead worker (kill -9, power loss) back to the queue.
 *
 * A node that fails is a finished job (its outcome says so); only a worker lost or stopped mid-node retries the job.
 * A job that vanished from Redis while it ran (Redis restarted without persistence) is not taken as lost: the node
 * runs on and reports through the store, as the driver follows the store, not Redis (and enqueues the job again;
 * the key's lock keeps that attempt waiting until this one is done). A live worker keeps a heartbeat key with its
 * slots in Redis so that drivers can tell when no worker serves their jobs.
 * Stopping (the signal) cancels running attempts — they publish nothing — and hands their jobs straight back to the
 * queue; every connection is closed so the process can exit. Redis unreachable for longer than PIPE_REDIS_RETRY_S
 * stops the worker the same way, with an error (its jobs return to the queue through the stalled-job check once
 * Redis is back).
 */
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, Worker } from 'bullmq';
import type { NodeLibrary } from './node-kind.js';
import { cancelKey, parseShape, PREFIX, queueLockMs, queueName, serves, SHAPES_KEY, workerKey } from './queue.js';
import type { Shape } from './queue.js';
import { runRemoteTask } from './remote-task.js';
import type { TaskSpec } from './remote-task.js';
import { redisLink } from './redis-link.js';

export interface WorkerOptions {
  readonly redis: string;
  readonly cpus: number;
  readonly gpus: number;
  /** The shared store's location on this machine, when it differs from the driver's. */
  readonly store?: string;
  readonly library: NodeLibrary;
  /** Stops taking jobs; running ones are cancelled and go back to the queue. */
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

/** How long closing the queue connections may take before they are dropped. */
const CLOSE_MS = 3000;

/** Runs until `signal` aborts; throws when Redis stays unreachable (after cancelling and returning its jobs). */
export async function runWorker(opts: WorkerOptions): Promise<void> {
  const me = `${hostname()}:${process.pid}`;
  const lockMs = queueLockMs();
  const link = redisLink(opts.redis, { notice: (line) => opts.log(`pipe worker: ${line}`) });
  const halt = new AbortController(); // the loop ended on an unexpected error
  const stopping = AbortSignal.any([opts.signal, link.lost, halt.signal]);
  setMaxListeners(0, stopping); // one listener per job in flight: a 32-slot worker runs 32 (not a leak)
  const redis = link.connect();
  const workers = new Map<string, Worker>();
  const workerOf = async (shape: Shape): Promise<Worker> => {
    const name = queueName(shape);
    let w = workers.get(name);
    if (w === undefined) {
      w = new Worker(name, null, {
        connection: link.connect(),
        prefix: PREFIX,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        maxStalledCount: 3,
        autorun: false,
      });
      w.on('error', link.onError);
      workers.set(name, w);
      await link.guard(w.startStalledCheckTimer());
    }
    return w;
  };
  const free = { cpu: opts.cpus, gpu: opts.gpus };
  // A request larger than this machine is clamped to it (it runs when the machine is idle), as with local runs;
  // a GPU node needs a worker with at least one GPU.
  const need = (s: Shape): Shape => ({ cpu: Math.min(s.cpu, opts.cpus), gpu: Math.min(s.gpu, opts.gpus) });
  const slots: Shape = { cpu: opts.cpus, gpu: opts.gpus };
  const fits = (s: Shape): boolean => serves(slots, s) && need(s).cpu <= free.cpu && need(s).gpu <= free.gpu;
  const running = new Set<Promise<void>>();
  opts.log(`pipe worker ${me}: ${opts.cpus} CPU, ${opts.gpus} GPU slots, ${opts.redis}${opts.store ? `, store ${opts.store}` : ''}`);
  // The heartbeat drivers look for (queue.ts liveWorkers): it expires one queue lock time after this process stops beating.
  const beat = (): void => void (link.up() ? redis.set(workerKey(me), JSON.stringify(slots), 'PX', lockMs).catch(() => {}) : undefined);
  beat();
  const heartbeat = setInterval(beat, Math.max(200, Math.floor(lockMs / 3)));

  const process1 = async (w: Worker, job: Job, token: string, shape: Shape): Promise<void> => {
    const spec = job.data as TaskSpec;
    const ac = new AbortController();
    const stop = (): void => ac.abort(new Error('worker stopping'));
    stopping.addEventListener('abort', stop, { once: true });
    let lockLost = false;
    let orphan = false; // the job vanished from Redis: the node runs on, outside the queue
    let renewing = false;
    /** The lock could not be extended: taken over by another worker (stop), or the job is gone (run on). */
    const lockFailed = async (): Promise<void> => {
      const now = await Job.fromId(w, job.id as string);
      if (now !== undefined && now.timestamp === job.timestamp) {
        lockLost = true;
        ac.abort(new Error('job lock lost'));
        return;
      }
      orphan = true;
      opts.log(`${spec.nodeId}: its queue job vanished from Redis (restarted without persistence?); running on, the outcome goes to the store`);
    };
    const renew = setInterval(() => {
      if (!link.up()) return; // ioredis holds commands while Redis is away; do not pile them up
      void redis.exists(cancelKey(spec.id)).then((n) => n > 0 && ac.abort(new Error('cancelled by the driver')), () => {});
      if (orphan || renewing) return;
      renewing = true;
      void job
        .extendLock(token, lockMs)
        .then((ok) => (ok || lockLost ? undefined : lockFailed()))
        .catch(() => {})
        .finally(() => (renewing = false));
    }, Math.max(200, Math.floor(lockMs / 3)));
    opts.log(`${spec.nodeId}: started (${spec.key.slice(0, 12)})`);
    // Stopped or superseded here: the job goes back to the queue and the next attempt reports to the driver.
    const requeued = (): boolean => lockLost || stopping.aborted;
    try {
      const outcome = await runRemoteTask(spec, { library: opts.library, signal: ac.signal, worker: me, requeued, ...(opts.store ? { store: opts.store } : {}) });
      const back = outcome.status === 'cancelled' && requeued();
      opts.log(`${spec.nodeId}: ${back ? 'stopped; back to the queue' : outcome.status}${outcome.status === 'failed' ? `: ${outcome.message}` : ''}`);
      // Handed to another worker meanwhile, not in Redis any more, or Redis is gone (the stalled check returns it).
      if (lockLost || orphan || link.lost.aborted) return;
      if (back) {
        await link.guard(job.moveToFailed(new Error(`worker ${me} stopped`), token, false));
      } else {
        await link.guard(job.moveToCompleted({ status: outcome.status }, token, false));
      }
    } catch (e) {
      opts.log(`${spec.nodeId}: ${e instanceof Error ? e.message : String(e)}`);
      if (!lockLost && !orphan && !link.lost.aborted) await link.guard(job.moveToFailed(e instanceof Error ? e : new Error(String(e)), token, false)).catch(() => {});
    } finally {
      clearInterval(renew);
      stopping.removeEventListener('abort', stop);
      free.cpu += need(shape).cpu;
      free.gpu += need(shape).gpu;
    }
  };

  try {
    while (!stopping.aborted) {
      let took = false;
      const shapes = (await link.guard(redis.smembers(SHAPES_KEY))).map(parseShape).filter((s): s is Shape => s !== undefined);
      // Largest first, so a big node is not starved by a stream of small ones.
      shapes.sort((a, b) => b.gpu - a.gpu || b.cpu - a.cpu);
      for (const shape of shapes) {
        while (!stopping.aborted && fits(shape)) {
          const w = await workerOf(shape);
          const token = randomUUID();
          const job = await link.guard(w.getNextJob(token, { block: false }));
          if (job === undefined) break;
          took = true;
          free.cpu -= need(shape).cpu;
          free.gpu -= need(shape).gpu;
          const p = process1(w, job, token, shape).finally(() => running.delete(p));
          running.add(p);
        }
      }
      if (!took) await sleep(250, undefined, { signal: stopping }).catch(() => {});
    }
  } catch (e) {
    if (!link.lost.aborted) throw e;
  } finally {
    await stopAll();
  }
  if (link.lost.aborted) throw link.lost.reason as Error;

  /** Cancels running attempts (their jobs go back to the queue), then closes every connection. */
  async function stopAll(): Promise<void> {
    halt.abort();
    clearInterval(heartbeat);
    await Promise.allSettled([...running]);
    if (link.up()) await Promise.race([redis.del(workerKey(me)).catch(() => {}), sleep(CLOSE_MS)]);
    await Promise.race([Promise.allSettled([...workers.values()].map((w) => w.close(true))), sleep(CLOSE_MS)]);
    link.close();
  }
}
